import {
  DeviceKeyMissingError,
  GrantAlreadyReportedError,
  GrantExpiredError,
  InvalidPublicKeyError,
  LoginGrantLimitError,
} from '../../domain/logins/errors';
import type { ErrorMapping } from './types';

export const LOGIN_ERRORS: readonly ErrorMapping[] = [
  [DeviceKeyMissingError, 409, 'device_key_missing'],
  [InvalidPublicKeyError, 400, 'invalid_public_key'],
  [LoginGrantLimitError, 429, 'login_grant_limit_reached'],
  [GrantExpiredError, 410, 'grant_expired'],
  [GrantAlreadyReportedError, 409, 'already_reported'],
];
