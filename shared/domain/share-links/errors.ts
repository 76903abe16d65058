import { DomainError } from '../errors';

/** Unknown, expired, used and revoked links: one answer for all four. */
export class ShareLinkInvalidError extends DomainError {
  constructor() {
    super('This link is not valid. Ask the person who shared it for a new one.');
  }
}

/** A wrong, expired, used or exhausted verification code. */
export class ShareCodeInvalidError extends DomainError {
  constructor() {
    super('That code is not valid. Ask for a new one.');
  }
}

export class ShareCodeTooSoonError extends DomainError {
  constructor(retryAfter: number) {
    super(`Wait ${retryAfter} seconds before asking for another code.`, { retryAfter });
  }
}

export class ShareCodeLimitError extends DomainError {
  constructor(retryAfter: number) {
    super('Too many codes were requested for this link or from this network.', { retryAfter });
  }
}
