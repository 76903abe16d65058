import { DomainError } from '../errors';

/** Device failures; `shared/http/errors.ts` maps each class to its status and `error` code. */

export class DeviceCredentialRequiredError extends DomainError {
  constructor() {
    super('This route needs the device credential in the X-Latchkey-Device header.');
  }
}

/** Unknown credential, or one of another user's devices: indistinguishable on purpose. */
export class DeviceCredentialInvalidError extends DomainError {
  constructor() {
    super('The device credential is not valid for this user.');
  }
}

export class DeviceNotTrustedError extends DomainError {
  constructor(status: string) {
    super('This device is not trusted.', { deviceStatus: status });
  }
}

export class ClientTypeNotAllowedError extends DomainError {
  constructor(allowed: readonly string[]) {
    super(`This action is only available from: ${allowed.join(', ')}.`, { allowedClientTypes: allowed });
  }
}

export class DeviceLimitReachedError extends DomainError {
  constructor(limit: number) {
    super(`You already have ${limit} registered devices: disable one first.`, { limit });
  }
}

export class DeviceNameTakenError extends DomainError {
  constructor() {
    super('You already have a device with this name.');
  }
}

export class InvalidCodeError extends DomainError {
  constructor(attemptsRemaining: number) {
    super('That code is not right.', { attemptsRemaining });
  }
}

export class TooManyAttemptsError extends DomainError {
  constructor() {
    super('Too many wrong codes: request a new code.');
  }
}

export class CodeExpiredError extends DomainError {
  constructor() {
    super('This code has expired: request a new code.');
  }
}

export class NotPendingError extends DomainError {
  constructor() {
    super('This device is not waiting for verification or approval.');
  }
}

export class ApprovalExpiredError extends DomainError {
  constructor() {
    super('This approval request has expired.');
  }
}

export class ResendTooSoonError extends DomainError {
  constructor(retryAfter: number) {
    super(`Wait ${retryAfter} seconds before asking for another code.`, { retryAfter });
  }
}

export class ResendLimitReachedError extends DomainError {
  constructor(retryAfter: number) {
    super('Too many codes requested this hour.', { retryAfter });
  }
}

export class WrongVerificationMethodError extends DomainError {
  constructor() {
    super('This device is not verified by email code.');
  }
}

/** Renaming a denied, disabled or expired device: it no longer holds a name. */
export class DeviceInactiveError extends DomainError {
  constructor() {
    super('This device is no longer active.');
  }
}

export type ApprovalLimitReason = 'pending_cap' | 'hourly_cap' | 'reported';

/** Push fatigue: too many approval requests waiting, this hour, or after a report. Nothing was created. */
export class ApprovalLimitReachedError extends DomainError {
  constructor(reason: ApprovalLimitReason, retryAfter: number) {
    const why = {
      pending_cap: 'Too many devices are already waiting for approval.',
      hourly_cap: 'Too many approval requests this hour.',
      reported: 'Approval requests are paused after a request was reported.',
    }[reason];
    super(`${why} Try again later, or verify by email code.`, { reason, retryAfter });
  }
}

/** The approver sent a number the new device does not show: the request is denied. */
export class ApprovalWrongNumberError extends DomainError {
  constructor() {
    super('That is not the number shown on the new device: the request was denied.');
  }
}

/** Switching to an emailed code after the request was denied, reported or is no longer waiting. */
export class SwitchNotAllowedError extends DomainError {
  constructor(reason: string) {
    super('This device can no longer switch to an emailed code: register it again.', { reason });
  }
}

/** Nothing printable was left of a name once control and bidi characters were removed. */
export class DeviceNameInvalidError extends DomainError {
  constructor() {
    super('The device name has no printable characters.');
  }
}
