import { DomainError } from '../errors';

export class RotationInProgressError extends DomainError {
  constructor(retryAfter: number, rotationId?: string) {
    super('A rotation is changing this account’s password: try again shortly.', {
      retryAfter,
      ...(rotationId ? { rotationId } : {}),
    });
  }
}

export class PasswordVersionConflictError extends DomainError {
  constructor(currentVersion: number) {
    super('The password changed since you read it: send `passwordVersion` with the version you replace.', {
      currentVersion,
    });
  }
}

export class RotationNotSupportedError extends DomainError {
  constructor(what: string) {
    super(`The account's app has no connector for ${what}: name a catalogue app that supports it.`);
  }
}

export class MfaAlreadyEnrolledError extends DomainError {
  constructor() {
    super('The account already has Latchkey-managed TOTP.');
  }
}

/** A connector call that failed or ran out of time; the engine decides what to do next. */
export class ConnectorError extends Error {
  constructor(
    message: string,
    readonly timedOut = false,
  ) {
    super(message);
    this.name = 'ConnectorError';
  }
}
