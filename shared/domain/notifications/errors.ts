import { DomainError } from '../errors';

export class PreferenceLockedError extends DomainError {
  constructor(type: string) {
    super(`Your workspace enforces ${type}: it cannot be turned off.`, { type });
  }
}

export class TypeDisabledError extends DomainError {
  constructor(type: string) {
    super(`Your workspace has turned ${type} off.`, { type });
  }
}
