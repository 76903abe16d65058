import * as z from 'zod/mini';
import { SHARE_LINK_RULES, SHARE_RESOURCE_TYPES } from '../domain/share-links/model';

const id = z.string().check(z.minLength(1), z.maxLength(64), z.regex(/^[\w-]+$/, 'must be an id'));

export const shareLinkParams = z.strictObject({ id });
export const createShareLinkBody = z.strictObject({
  resource: z.strictObject({ type: z.enum(SHARE_RESOURCE_TYPES), id }),
  recipientEmail: z
    .string()
    .check(z.maxLength(320), z.regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'must be an email address')),
  expiresInSeconds: z
    .number()
    .check(
      z.int(),
      z.minimum(SHARE_LINK_RULES.minLifetimeSeconds),
      z.maximum(SHARE_LINK_RULES.maxLifetimeSeconds),
    ),
  oneTime: z.optional(z.boolean()),
});
export const createShareLinkResponse = z.object({
  link: z.object({
    id: z.string(),
    url: z.string().check(z.describe('`<WEB_BASE_URL>/s/<id>#<key>`: the key exists only in this fragment.')),
    expiresAt: z.string(),
  }),
});
const viewSchema = z.object({ at: z.string(), ip: z.string(), userAgent: z.string() });
export const shareLinkSchema = z
  .object({
    id: z.string(),
    resource: z.object({ type: z.enum(SHARE_RESOURCE_TYPES), id: z.string() }),
    recipient: z.string(),
    oneTime: z.boolean(),
    status: z.enum(['active', 'expired', 'used', 'revoked']),
    expiresAt: z.string(),
    createdAt: z.string(),
    views: z.array(viewSchema),
  })
  .register(z.globalRegistry, { id: 'ShareLink' });
export const shareLinkListResponse = z.object({
  items: z.array(shareLinkSchema),
  nextCursor: z.nullable(z.string()),
});
export const publicShareLinkResponse = z.object({
  link: z.object({
    id: z.string(),
    sharedBy: z.string(),
    recipient: z.string().check(z.describe('Masked: a***@example.com')),
    resourceType: z.enum(SHARE_RESOURCE_TYPES),
    expiresAt: z.string(),
    oneTime: z.boolean(),
  }),
});
export const shareCodeResponse = z.object({ verification: z.object({ expiresAt: z.string() }) });
export const openShareLinkBody = z.strictObject({
  code: z.string().check(z.regex(/^\d{6}$/, 'must be 6 digits')),
});
export const openShareLinkResponse = z.object({
  ciphertext: z
    .string()
    .check(z.describe('Compact JWE (dir, A256GCM); decrypt with the key in the URL fragment.')),
});
