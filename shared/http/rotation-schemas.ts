import * as z from 'zod/mini';
import { ROTATION_STATUSES, ROTATION_STEPS, ROTATION_TRIGGERS } from '../domain/rotation/model';

/** Request and response shapes of apps, rotations, password history, rotation policies and MFA enrolment. */
const id = z.string().check(z.minLength(1), z.maxLength(64), z.regex(/^[\w-]+$/, 'must be an id'));

const capabilities = z.object({
  managedPhone: z.boolean(),
  acceptsVoip: z.boolean(),
  managedEmail: z.boolean(),
  passwordRotation: z.boolean(),
  mfaEnrollment: z.boolean(),
});

export const appSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    loginUrl: z.string(),
    capabilities,
    passwordRules: z.object({
      minLength: z.number(),
      maxLength: z.number(),
      requires: z.array(z.string()),
      symbols: z.string(),
    }),
  })
  .register(z.globalRegistry, { id: 'App' });
export const appListResponse = z.object({ items: z.array(appSchema), nextCursor: z.nullable(z.string()) });

export const rotationSchema = z
  .object({
    id: z.string(),
    accountId: z.string(),
    kind: z.enum(['password', 'mfa']),
    trigger: z.enum(ROTATION_TRIGGERS),
    status: z.enum(ROTATION_STATUSES),
    step: z.enum(ROTATION_STEPS),
    attempts: z.number(),
    maxAttempts: z.number(),
    fromVersion: z.number(),
    pendingVersion: z.optional(z.number()),
    steps: z.array(
      z.object({
        step: z.enum(ROTATION_STEPS),
        outcome: z.string(),
        at: z.string(),
        attempt: z.number(),
        detail: z.optional(z.string()),
      }),
    ),
    error: z.optional(z.string()),
    createdAt: z.string(),
    updatedAt: z.string(),
    finishedAt: z.optional(z.string()),
  })
  .register(z.globalRegistry, { id: 'Rotation' });
export const rotationResponse = z.object({ rotation: rotationSchema });
export const rotationListResponse = z.object({
  items: z.array(rotationSchema),
  nextCursor: z.nullable(z.string()),
});
export const rotationParams = z.strictObject({ id, rotationId: id });

export const passwordVersionSchema = z.object({
  version: z.number(),
  status: z.enum(['current', 'previous', 'pending', 'abandoned']),
  rotationId: z.optional(z.string()),
  createdBy: z.string(),
  createdAt: z.string(),
});
export const passwordHistoryResponse = z.object({
  items: z.array(passwordVersionSchema),
  nextCursor: z.nullable(z.string()),
});
export const versionParams = z.strictObject({
  id,
  version: z.coerce.number().check(z.int(), z.minimum(1), z.maximum(999_999_999)),
});
export const passwordVersionResponse = z.object({ version: z.number(), password: z.string() });

const generator = z.strictObject({
  length: z.optional(z.number().check(z.int(), z.minimum(8), z.maximum(128))),
  lowercase: z.optional(z.boolean()),
  uppercase: z.optional(z.boolean()),
  digits: z.optional(z.boolean()),
  symbols: z.optional(z.boolean()),
  exclude: z.optional(z.string().check(z.maxLength(64))),
});
export const rotationPolicyBody = z.strictObject({
  everyDays: z.nullable(z.number().check(z.int(), z.minimum(1), z.maximum(3650))),
  afterLogin: z.boolean(),
  afterLoginDelayMinutes: z.optional(z.number().check(z.int(), z.minimum(0), z.maximum(10_080))),
  generator: z.optional(generator),
});
export const rotationPolicyResponse = z.object({
  policy: z.object({
    everyDays: z.nullable(z.number()),
    afterLogin: z.boolean(),
    afterLoginDelayMinutes: z.number(),
    generator: z.object({
      length: z.number(),
      lowercase: z.boolean(),
      uppercase: z.boolean(),
      digits: z.boolean(),
      symbols: z.boolean(),
      exclude: z.optional(z.string()),
    }),
  }),
  source: z.enum(['account', 'workspace', 'default']),
  nextDueAt: z.optional(z.string()),
});
export const sweepResponse = z.object({ due: z.number(), started: z.number(), skipped: z.number() });

export const appWebhookParams = z.strictObject({ appId: id });
export const appWebhookBody = z.strictObject({
  /** The customer's HTTPS endpoint; the SSRF rules are applied again at every call. */
  url: z.string().check(z.minLength(8), z.maxLength(2048)),
  /** Replace the signing secret (the new one is in the answer, once). */
  rotateSecret: z.optional(z.boolean()),
});
export const appWebhookSchema = z
  .object({
    appId: z.string(),
    url: z.string(),
    secretCreatedAt: z.string(),
    createdBy: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .register(z.globalRegistry, { id: 'AppWebhook' });
export const appWebhookResponse = z.object({
  webhook: appWebhookSchema,
  /** The signing secret (`whsec_...`): only when it was just generated; never shown again. */
  secret: z.optional(z.string()),
});
