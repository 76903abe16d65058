import { DomainError } from '../errors';

/** The role is not one this user may hold (guests and login-only users never manage). */
export class VaultRoleNotAllowedError extends DomainError {
  constructor() {
    super('Guests and login-only users can be viewers or editors, not managers.');
  }
}

/** Removing or demoting the vault's last manager. */
export class LastManagerError extends DomainError {
  constructor() {
    super('A vault keeps at least one manager.');
  }
}

/** Deleting a vault that still holds secrets outside the trash. */
export class VaultNotEmptyError extends DomainError {
  constructor() {
    super('Delete or move the secrets of this vault first.');
  }
}

/** Someone changed the secret between the read and the write: retry with the current version. */
export class SecretConflictError extends DomainError {
  constructor() {
    super('The secret changed meanwhile; read it again and retry.');
  }
}

/** The secret is not in the trash (restore), or its vault is gone. */
export class NotInTrashError extends DomainError {
  constructor() {
    super('The secret is not in the trash.');
  }
}

export class AttachmentLimitError extends DomainError {
  constructor(max: number) {
    super(`A secret holds at most ${max} attachments.`, { max });
  }
}

export class AttachmentTooLargeError extends DomainError {
  constructor(max: number) {
    super(`An attachment is at most ${max} bytes.`, { maxBytes: max });
  }
}

/** The download was asked for before the file was uploaded (or the upload did not match). */
export class AttachmentNotUploadedError extends DomainError {
  constructor() {
    super('The file of this attachment has not been uploaded yet.');
  }
}
