import { NotFoundError } from '../errors';
import type { User } from '../users/model';
import {
  AttachmentLimitError,
  AttachmentNotUploadedError,
  AttachmentTooLargeError,
  SecretConflictError,
} from './errors';
import { ATTACHMENT_RULES, type Attachment, attachmentObjectPrefix, type Secret } from './model';
import { requireSecretRole, type SecretDeps } from './use-cases';

export type { Attachment } from './model';

/**
 * Files attached to a secret. The bytes live in S3 under a key nobody can guess; the API hands out
 * short-lived presigned URLs (a POST whose policy fixes the key, the size range and the type; a GET
 * that downloads as `Content-Disposition: attachment`), never the bytes. See docs/secrets.md.
 */
export interface PresignedUpload {
  url: string;
  fields: Record<string, string>;
}

/** The object store behind attachments (S3 in AWS, the local S3 server locally). */
export interface AttachmentStore {
  /** A POST whose policy admits only this key, exactly `size` bytes and this Content-Type. */
  presignUpload(input: {
    key: string;
    contentType: string;
    size: number;
    expiresInSeconds: number;
  }): Promise<PresignedUpload>;
  /** A GET that downloads as an attachment under `fileName`. */
  presignDownload(input: {
    key: string;
    fileName: string;
    contentType: string;
    expiresInSeconds: number;
  }): Promise<string>;
  /** The stored size, or undefined before the upload happened. */
  sizeOf(key: string): Promise<number | undefined>;
}

export interface AttachmentRepository {
  /** Adds the record while the secret is live and holds fewer than `max` attachments. */
  create(attachment: Attachment, max: number): Promise<'applied' | 'not_live' | 'limit'>;
  get(secretId: string, attachmentId: string): Promise<Attachment | undefined>;
  list(secretId: string): Promise<Attachment[]>;
  remove(attachment: Attachment): Promise<'applied' | 'conflict'>;
  /** Drops every record of a purged secret. */
  removeAll(secretId: string): Promise<void>;
}

export interface AttachmentDeps extends SecretDeps {
  attachments: AttachmentRepository;
  attachmentStore: AttachmentStore;
  attachmentRules?: Partial<typeof ATTACHMENT_RULES>;
}

/** 256 bits from the CSPRNG (Web Crypto: this module is also reached by the web app's route types). */
function unguessable(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url');
}

const rulesOf = (deps: AttachmentDeps) => ({ ...ATTACHMENT_RULES, ...deps.attachmentRules });
const NO_ATTACHMENT = 'No such attachment.';

export async function createAttachment(
  caller: User,
  secretId: string,
  input: { name: string; contentType: string; size: number },
  deps: AttachmentDeps,
): Promise<{ attachment: Attachment; upload: PresignedUpload }> {
  const rules = rulesOf(deps);
  if (input.size > rules.maxBytes) throw new AttachmentTooLargeError(rules.maxBytes);
  await requireSecretRole(caller, secretId, 'editor', deps);
  const id = deps.newId('att');
  const prefix = attachmentObjectPrefix(secretId, id);
  if (!prefix) throw new NotFoundError('No such secret.');
  const attachment: Attachment = {
    id,
    secretId,
    name: input.name,
    contentType: input.contentType,
    size: input.size,
    objectKey: `${prefix}${unguessable()}`,
    createdBy: caller.id,
    createdAt: deps.clock.now().toISOString(),
  };
  const outcome = await deps.attachments.create(attachment, rules.maxPerSecret);
  if (outcome === 'limit') throw new AttachmentLimitError(rules.maxPerSecret);
  if (outcome === 'not_live') throw new SecretConflictError();
  const upload = await deps.attachmentStore.presignUpload({
    key: attachment.objectKey,
    contentType: attachment.contentType,
    size: attachment.size,
    expiresInSeconds: rules.uploadSeconds,
  });
  deps.security.record({
    event: 'secret.attachment_added',
    outcome: 'success',
    userId: caller.id,
    reason: `${secretId}:${attachment.id}`,
  });
  return { attachment, upload };
}

async function attachmentOf(secret: Secret, attachmentId: string, deps: AttachmentDeps) {
  const attachment = await deps.attachments.get(secret.id, attachmentId);
  if (!attachment) throw new NotFoundError(NO_ATTACHMENT);
  return attachment;
}

export async function listAttachments(caller: User, secretId: string, deps: AttachmentDeps) {
  await requireSecretRole(caller, secretId, 'viewer', deps);
  return deps.attachments.list(secretId);
}

/** A download URL for viewers, once the uploaded object is there with the declared size. */
export async function downloadAttachment(
  caller: User,
  secretId: string,
  attachmentId: string,
  deps: AttachmentDeps,
): Promise<{ attachment: Attachment; downloadUrl: string }> {
  const { secret } = await requireSecretRole(caller, secretId, 'viewer', deps);
  const attachment = await attachmentOf(secret, attachmentId, deps);
  if ((await deps.attachmentStore.sizeOf(attachment.objectKey)) !== attachment.size)
    throw new AttachmentNotUploadedError();
  const downloadUrl = await deps.attachmentStore.presignDownload({
    key: attachment.objectKey,
    fileName: attachment.name,
    contentType: attachment.contentType,
    expiresInSeconds: rulesOf(deps).downloadSeconds,
  });
  deps.security.record({
    event: 'secret.attachment_downloaded',
    outcome: 'success',
    userId: caller.id,
    reason: `${secretId}:${attachmentId}`,
  });
  return { attachment, downloadUrl };
}

/**
 * Removes the record; the object follows through the table stream (functions/events/attachment-cleanup.ts),
 * the one path that deletes attachment objects, whatever removed the record.
 */
export async function deleteAttachment(
  caller: User,
  secretId: string,
  attachmentId: string,
  deps: AttachmentDeps,
): Promise<void> {
  const { secret } = await requireSecretRole(caller, secretId, 'editor', deps);
  const attachment = await attachmentOf(secret, attachmentId, deps);
  if ((await deps.attachments.remove(attachment)) === 'conflict') throw new NotFoundError(NO_ATTACHMENT);
  deps.security.record({
    event: 'secret.attachment_removed',
    outcome: 'success',
    userId: caller.id,
    reason: `${secretId}:${attachmentId}`,
  });
}

/**
 * Empties a trashed secret from the trash for good: its attachment records go first (the stream
 * clean-up deletes their objects), then the secret is marked purged (every route answers 404 from
 * then on; TTL removes its item, and the clean-up whatever its partition still holds).
 */
export async function purgeSecret(caller: User, secretId: string, deps: AttachmentDeps): Promise<void> {
  const { secret } = await requireSecretRole(caller, secretId, 'editor', deps, { trash: 'only' });
  await deps.attachments.removeAll(secretId);
  if ((await deps.vaults.purgeSecret(secret, deps.clock.now())) === 'conflict')
    throw new SecretConflictError();
  deps.security.record({ event: 'secret.purged', outcome: 'success', userId: caller.id, reason: secretId });
}
