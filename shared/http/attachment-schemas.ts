import * as z from 'zod/mini';
import { ATTACHMENT_RULES, type Attachment } from '../domain/secrets/model';

/** Request and response shapes of a secret's attachments (docs/secrets.md). */

const id = z.string().check(z.minLength(1), z.maxLength(64), z.regex(/^[\w-]+$/, 'must be an id'));
export const attachmentParams = z.strictObject({ id, attachmentId: id });

/** A file name as people see it: no control characters, no path separators. */
const fileName = z
  .string()
  .check(
    z.minLength(1),
    z.maxLength(255),
    z.regex(/^[^\p{Cc}\p{Cf}/\\]+$/u, 'must be a file name without control characters or slashes'),
  );
/** `type/subtype` (RFC 6838 names), without parameters: the upload must carry exactly this type. */
const contentType = z
  .string()
  .check(
    z.maxLength(255),
    z.regex(
      /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/,
      'must be a lower-case media type such as application/pdf',
    ),
  );

export const createAttachmentBody = z.strictObject({
  name: fileName,
  contentType,
  size: z.number().check(z.int(), z.minimum(1), z.maximum(ATTACHMENT_RULES.maxBytes)),
});

export const attachmentSchema = z
  .object({
    id: z.string(),
    secretId: z.string(),
    name: z.string(),
    contentType: z.string(),
    size: z.number(),
    createdBy: z.string(),
    createdAt: z.string(),
  })
  .register(z.globalRegistry, { id: 'SecretAttachment' });

export const createAttachmentResponse = z.object({
  attachment: attachmentSchema,
  upload: z.object({
    url: z.string().check(z.describe('POST a multipart/form-data body here: every field, then `file` last.')),
    fields: z.record(z.string(), z.string()),
  }),
});
export const attachmentResponse = z.object({
  attachment: attachmentSchema,
  downloadUrl: z
    .string()
    .check(z.describe('A presigned GET, valid for 60 seconds, served with Content-Disposition: attachment.')),
});
export const attachmentListResponse = z.object({
  items: z.array(attachmentSchema),
  nextCursor: z.nullable(z.string()),
});
export const purgedResponse = z.object({ purged: z.literal(true) });

/** The object key stays on the server: it names where the bytes are, which nobody needs to know. */
export function toAttachmentView({ objectKey: _key, ...view }: Attachment) {
  return view;
}
