import {
  AlreadyProvisionedError,
  InvalidLoginTimeError,
  InvalidTotpError,
  LastOwnerError,
  NotSupportedError,
  RoleNotAllowedError,
  TotpNotConfiguredError,
} from '../../domain/accounts/errors';
import type { ErrorMapping } from './types';

export const ACCOUNT_ERRORS: readonly ErrorMapping[] = [
  [RoleNotAllowedError, 422, 'role_not_allowed'],
  [LastOwnerError, 409, 'last_owner'],
  [NotSupportedError, 422, 'not_supported'],
  [AlreadyProvisionedError, 409, 'already_provisioned'],
  [InvalidTotpError, 400, 'invalid_totp'],
  [InvalidLoginTimeError, 400, 'invalid_login_time'],
  [TotpNotConfiguredError, 404, 'totp_not_configured'],
];
