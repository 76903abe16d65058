import * as z from 'zod/mini';
import { ACCOUNT_ROLES, TOTP_ALGORITHMS } from '../domain/accounts/model';
import { displayName, idParams } from './schemas';

/** Request and response shapes of the accounts context (accounts, members, inbox, TOTP). */

/** Names people see: control and bidi characters are removed at write time (flag `sanitized`). */
const shortText = (max: number) => z.string().check(z.trim(), z.minLength(1), z.maxLength(max));
const url = z.string().check(z.maxLength(2048), z.regex(/^https?:\/\/[^\s]+$/, 'must be an http(s) URL'));
const id = z.string().check(z.minLength(1), z.maxLength(64), z.regex(/^[\w-]+$/, 'must be an id'));

const capabilities = z.strictObject({
  managedPhone: z.optional(z.boolean()),
  acceptsVoip: z.optional(z.boolean()),
  managedEmail: z.optional(z.boolean()),
});

export const accountSchema = z
  .object({
    id: z.string(),
    appName: z.string(),
    loginUrl: z.optional(z.string()),
    username: z.string(),
    appId: z.optional(z.string()),
    capabilities: z
      .object({
        managedPhone: z.boolean(),
        acceptsVoip: z.boolean(),
        managedEmail: z.boolean(),
        passwordRotation: z.boolean(),
        mfaEnrollment: z.boolean(),
      })
      .check(z.describe('The catalogue app’s capabilities when `appId` is set, else those recorded.')),
    passwordVersion: z.number().check(z.describe('Send it back with a password edit.')),
    rotation: z.optional(
      z.object({ id: z.string(), kind: z.string(), changing: z.boolean() }).check(z.describe('Running now.')),
    ),
    lastRotation: z.optional(z.object({ id: z.string(), status: z.string(), at: z.string() })),
    phoneNumber: z.optional(z.string()),
    emailAddress: z.optional(z.string()),
    totp: z.optional(z.object({ digits: z.number(), period: z.number(), algorithm: z.string() })),
    role: z.enum(ACCOUNT_ROLES).check(z.describe("The caller's role on this account.")),
    flags: z.optional(
      z
        .array(z.string())
        .check(z.describe('`sanitized`: control or bidi characters were removed from a name.')),
    ),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .register(z.globalRegistry, { id: 'Account' });

export const createAccountBody = z.strictObject({
  appName: shortText(100),
  loginUrl: z.optional(url),
  username: shortText(320),
  password: z.string().check(z.minLength(1), z.maxLength(1024)),
  capabilities: z.optional(capabilities),
  appId: z.optional(id),
});
export const updateAccountBody = z.strictObject({
  appName: z.optional(shortText(100)),
  appId: z.optional(id),
  passwordVersion: z.optional(
    z.number().check(z.int(), z.minimum(1), z.describe('Required with `password`: the version it replaces.')),
  ),
  loginUrl: z.optional(url),
  username: z.optional(shortText(320)),
  password: z.optional(z.string().check(z.minLength(1), z.maxLength(1024))),
  capabilities: z.optional(capabilities),
});
export const accountResponse = z.object({ account: accountSchema });
export const accountListResponse = z.object({
  items: z.array(accountSchema),
  nextCursor: z.nullable(z.string()),
});
// Shared by every group's deletes; kept in schemas.ts so a group needs not load this module for it.
export { deletedResponse } from './schemas';

export const memberParams = z.strictObject({ id, userId: id });
export const memberSchema = z.object({
  userId: z.string(),
  role: z.enum(ACCOUNT_ROLES),
  addedAt: z.string(),
});
export const memberBody = z.strictObject({ role: z.enum(ACCOUNT_ROLES) });
export const memberResponse = z.object({ member: memberSchema });
export const memberListResponse = z.object({
  items: z.array(memberSchema),
  nextCursor: z.nullable(z.string()),
});

export const passwordResponse = z.object({ password: z.string() });

export const phoneBody = z.strictObject({ type: z.optional(z.enum(['voip', 'non_voip'])) });
export const phoneResponse = z.object({ phoneNumber: z.string().check(z.describe('E.164')) });
export const emailResponse = z.object({ emailAddress: z.string() });

export const totpBody = z.union([
  z.strictObject({ otpauthUri: z.string().check(z.maxLength(2048)) }),
  z.strictObject({
    secret: z.string().check(z.minLength(16), z.maxLength(512)),
    digits: z.optional(z.union([z.literal(6), z.literal(7), z.literal(8)])),
    period: z.optional(z.number().check(z.int(), z.minimum(15), z.maximum(300))),
    algorithm: z.optional(z.enum(TOTP_ALGORITHMS)),
  }),
]);
export const totpSettingsResponse = z.object({
  totp: z.object({ digits: z.number(), period: z.number(), algorithm: z.string() }),
});
export const totpCodeResponse = z.object({ code: z.string(), period: z.number(), expiresAt: z.string() });

export const loginResultBody = z.strictObject({
  success: z.boolean(),
  grantId: z.optional(
    z
      .string()
      .check(
        z.minLength(1),
        z.maxLength(64),
        z.regex(/^[\w-]+$/, 'must be an id'),
        z.describe('The login grant the login used (optional; older clients send none).'),
      ),
  ),
  at: z.optional(
    z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/, 'must be ISO 8601 UTC')),
  ),
});
export const loginResultResponse = z.object({
  loginResult: z.object({ success: z.boolean(), at: z.string(), grantId: z.optional(z.string()) }),
});

export const grantParams = z.strictObject({
  id: z.string().check(z.minLength(1), z.maxLength(64), z.regex(/^[\w-]+$/, 'must be an id')),
  grantId: z.string().check(z.minLength(1), z.maxLength(64), z.regex(/^[\w-]+$/, 'must be an id')),
});
export const loginGrantResponse = z.object({
  grant: z.object({
    id: z.string(),
    expiresAt: z.string().check(z.describe('60 s after issue: use the credentials before then.')),
    jwe: z
      .string()
      .check(
        z.describe(
          'Compact JWE (ECDH-ES, A256GCM) to the device key; its JSON payload holds accountId, appName, ' +
            'loginUrl, username, password, totp ({code, expiresAt} or null), issuedAt and expiresAt.',
        ),
      ),
  }),
});
export const grantCodeQuery = z.strictObject({
  from: z.optional(
    z
      .string()
      .check(
        z.minLength(1),
        z.maxLength(320),
        z.describe(
          "Only a code from this sender (the app's SMS sender or email address): tells two logins in flight apart.",
        ),
      ),
  ),
});
export const grantCodeResponse = z.union([
  z.object({
    status: z.literal('waiting'),
    retryAfter: z.number().check(z.describe('Seconds to wait before polling again.')),
  }),
  z.object({
    status: z.literal('ready'),
    jwe: z
      .string()
      .check(
        z.describe(
          'Compact JWE to the same device key; payload {grantId, source: sms|email|totp, code, from?, receivedAt?, expiresAt?}.',
        ),
      ),
  }),
]);
export const loginReportResponse = z.object({
  grant: z.object({ id: z.string(), reportedAt: z.string() }),
  device: z.object({ id: z.string(), status: z.string() }),
});

export const securityLevelResponse = z.object({
  level: z.number(),
  milestones: z.array(z.object({ id: z.string(), done: z.boolean(), reason: z.string() })),
  nextStep: z.nullable(z.object({ milestone: z.string(), action: z.string() })),
});

export const inboxMessageSchema = z
  .object({
    id: z.string(),
    accountId: z.string(),
    channel: z.enum(['sms', 'email']),
    from: z.string(),
    to: z.string(),
    subject: z.optional(z.string()),
    receivedAt: z.string(),
    text: z.string(),
    code: z.nullable(z.string()),
    kind: z.nullable(z.string()),
    confidence: z.number(),
    links: z.array(z.object({ url: z.string(), host: z.string() })),
    flags: z.array(z.string()),
  })
  .register(z.globalRegistry, { id: 'InboxMessage' });
export const inboxResponse = z.object({
  items: z.array(inboxMessageSchema),
  nextCursor: z.nullable(z.string()),
});

export { displayName, idParams };
