import {
  AttachmentLimitError,
  AttachmentNotUploadedError,
  AttachmentTooLargeError,
  LastManagerError,
  NotInTrashError,
  SecretConflictError,
  VaultNotEmptyError,
  VaultRoleNotAllowedError,
} from '../../domain/secrets/errors';
import type { ErrorMapping } from './types';

export const SECRET_ERRORS: readonly ErrorMapping[] = [
  [VaultRoleNotAllowedError, 422, 'vault_role_not_allowed'],
  [LastManagerError, 409, 'last_manager'],
  [VaultNotEmptyError, 409, 'vault_not_empty'],
  [SecretConflictError, 409, 'secret_conflict'],
  [NotInTrashError, 409, 'not_in_trash'],
  [AttachmentLimitError, 409, 'attachment_limit'],
  [AttachmentTooLargeError, 413, 'attachment_too_large'],
  [AttachmentNotUploadedError, 409, 'attachment_not_uploaded'],
];
