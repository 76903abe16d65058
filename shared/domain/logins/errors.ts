import { DomainError } from '../errors';

export class DeviceKeyMissingError extends DomainError {
  constructor() {
    super(
      'This device has no public key: set one (PUT /v1/devices/{id}/public-key) before asking for login grants.',
    );
  }
}

export class InvalidPublicKeyError extends DomainError {
  constructor(reason: string) {
    super(`The public key is not usable: ${reason}.`, { reason });
  }
}

export class LoginGrantLimitError extends DomainError {
  constructor(scope: 'user' | 'account', retryAfter: number) {
    super(
      scope === 'user'
        ? 'Too many login grants for you this hour: try again later.'
        : 'Too many login grants for this account this hour: try again later.',
      { scope, retryAfter },
    );
  }
}

/** The grant's code window is over (or the grant's 60 s, for what needs a live grant). */
export class GrantExpiredError extends DomainError {
  constructor() {
    super('This login grant has expired: ask for a new one.');
  }
}

export class GrantAlreadyReportedError extends DomainError {
  constructor() {
    super('This login was already reported.');
  }
}
