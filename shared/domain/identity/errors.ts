import { DomainError } from '../errors';
import type { ConfirmationMethod } from './model';

/** Identity-confirmation failures; `shared/http/error-codes/identity.ts` maps each to HTTP. */

export interface ChallengeSummary {
  id: string;
  action: string;
  methods: ConfirmationMethod[];
  expiresAt: string;
  numberToMatch?: string;
}

export class IdentityConfirmationRequiredError extends DomainError {
  constructor(challenge: ChallengeSummary) {
    super('Confirm your identity to continue, then retry with the X-Latchkey-Confirmation header.', {
      challenge,
    });
  }
}

export class NoConfirmationMethodError extends DomainError {}

export class TooManyChallengesError extends DomainError {
  constructor(retryAfter: number) {
    super('Too many identity confirmations requested this hour.', { retryAfter });
  }
}

export class ChallengeNotPendingError extends DomainError {
  constructor(status: string) {
    super('This confirmation request has already been answered or has expired.', { status });
  }
}

export class ChallengeExpiredError extends DomainError {
  constructor() {
    super('This confirmation request has expired.');
  }
}

/** The number sent back is not the one the requesting screen shows: the request is denied. */
export class WrongNumberError extends DomainError {
  constructor() {
    super('That is not the number shown on the requesting screen: the request was denied.');
  }
}

export class MethodNotAvailableError extends DomainError {
  constructor(method: string) {
    super(`This confirmation request cannot be answered by ${method}.`, { method });
  }
}

export class PushLimitReachedError extends DomainError {
  constructor(limit: number) {
    super(`At most ${limit} pushes per confirmation request.`, { limit });
  }
}

export class EmailLimitReachedError extends DomainError {
  constructor(limit: number) {
    super(`At most ${limit} emails per confirmation request.`, { limit });
  }
}

/** Expired, used, replaced or unknown magic link: one answer for all of them. */
export class LinkInvalidError extends DomainError {
  constructor() {
    super('This link is no longer valid. Start the action again to get a new one.');
  }
}

export class InvalidIdentitySettingsError extends DomainError {}

/** The requesting device tried to answer its own challenge: only another trusted device may. */
export class RequestingDeviceAnswerError extends DomainError {
  constructor() {
    super('The device that asked cannot answer its own confirmation request: use another trusted device.');
  }
}
