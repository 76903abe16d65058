import { DomainError } from '../errors';

export class RoleNotAllowedError extends DomainError {
  constructor() {
    super('Guests and login-only users can only be collaborators.');
  }
}

export class LastOwnerError extends DomainError {
  constructor() {
    super('An account keeps at least one owner.');
  }
}

export class NotSupportedError extends DomainError {
  constructor(what: string) {
    super(`The app does not support ${what}.`);
  }
}

export class AlreadyProvisionedError extends DomainError {
  constructor(what: string) {
    super(`The account already has a managed ${what}.`);
  }
}

export class InvalidTotpError extends DomainError {
  constructor(reason: string) {
    super(`The TOTP settings are not valid: ${reason}.`);
  }
}

export class TotpNotConfiguredError extends DomainError {
  constructor() {
    super('This account has no Latchkey-managed TOTP.');
  }
}

export class InvalidLoginTimeError extends DomainError {
  constructor(reason: string) {
    super(`The login time is ${reason}.`, { reason });
  }
}
