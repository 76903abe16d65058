import {
  MfaAlreadyEnrolledError,
  PasswordVersionConflictError,
  RotationInProgressError,
  RotationNotSupportedError,
} from '../../domain/rotation/errors';
import {
  AppHasConnectorError,
  WebhookConflictError,
  WebhookUrlRefusedError,
} from '../../domain/rotation/webhooks';
import type { ErrorMapping } from './types';

export const ROTATION_ERRORS: readonly ErrorMapping[] = [
  [RotationInProgressError, 409, 'rotation_in_progress'],
  [PasswordVersionConflictError, 409, 'password_version_conflict'],
  [RotationNotSupportedError, 422, 'rotation_not_supported'],
  [MfaAlreadyEnrolledError, 409, 'mfa_already_enrolled'],
  [AppHasConnectorError, 409, 'app_has_connector'],
  [WebhookUrlRefusedError, 422, 'webhook_url_refused'],
  [WebhookConflictError, 409, 'webhook_conflict'],
];
