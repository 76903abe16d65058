import {
  ApprovalExpiredError,
  ClientTypeNotAllowedError,
  CodeExpiredError,
  DeviceCredentialInvalidError,
  DeviceCredentialRequiredError,
  DeviceInactiveError,
  DeviceLimitReachedError,
  DeviceNameTakenError,
  DeviceNotTrustedError,
  InvalidCodeError,
  NotPendingError,
  ResendLimitReachedError,
  ResendTooSoonError,
  TooManyAttemptsError,
} from '../../domain/devices/errors';
import type { ErrorMapping } from './types';

export const DEVICE_ERRORS: readonly ErrorMapping[] = [
  [DeviceCredentialRequiredError, 401, 'device_credential_required'],
  [DeviceCredentialInvalidError, 401, 'unauthorized'],
  [DeviceNotTrustedError, 403, 'device_not_trusted'],
  [ClientTypeNotAllowedError, 403, 'client_type_not_allowed'],
  [DeviceLimitReachedError, 409, 'device_limit_reached'],
  [DeviceNameTakenError, 409, 'device_name_taken'],
  [DeviceInactiveError, 409, 'device_inactive'],
  [NotPendingError, 409, 'not_pending'],
  [InvalidCodeError, 400, 'invalid_code'],
  [CodeExpiredError, 410, 'code_expired'],
  [ApprovalExpiredError, 410, 'approval_expired'],
  [TooManyAttemptsError, 429, 'too_many_attempts'],
  [ResendTooSoonError, 429, 'resend_too_soon'],
  [ResendLimitReachedError, 429, 'resend_limit_reached'],
];
