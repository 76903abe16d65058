import * as z from 'zod/mini';
import { CONFIRMATION_METHODS } from '../domain/identity/methods';
import { idParams } from './schemas';

/** Request and response shapes of identity confirmation (see docs/identity-confirmation.md). */

export const challengeIdParams = idParams;
/** Loose on purpose: a malformed token gets the same `link_invalid` as an unknown one. */
export const magicLinkParams = z.strictObject({ token: z.string().check(z.minLength(1), z.maxLength(256)) });

export const challengeSummarySchema = z
  .object({
    id: z.string(),
    action: z.string().check(z.describe('The registry id, e.g. `password.view`.')),
    methods: z.array(z.enum(CONFIRMATION_METHODS)),
    expiresAt: z.string(),
    numberToMatch: z.optional(
      z.string().check(z.describe('Shown on the requesting screen; the phone must send it back.')),
    ),
  })
  .register(z.globalRegistry, { id: 'IdentityChallenge' });

export const challengeStatusResponse = z.object({
  challenge: z.extend(challengeSummarySchema, {
    status: z.enum(['pending', 'approved', 'denied', 'expired']),
    reason: z.optional(
      z.string().check(z.describe('Why it was denied: denied, reported, wrong_number, cancelled.')),
    ),
    usableUntil: z.optional(z.string().check(z.describe('Retries with the header pass until then.'))),
  }),
});

const requester = z.object({
  deviceName: z.string(),
  clientType: z.string(),
  os: z.string(),
  browser: z.optional(z.string()),
  ip: z.optional(z.string()),
});

export const pendingChallengesResponse = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      action: z.string(),
      actionLabel: z.string(),
      resource: z
        .string()
        .check(z.describe('What the action is on: `id=<account id>`, or `workspace=<id>`.')),
      requestingDevice: z.extend(requester, { id: z.string() }),
      createdAt: z.string(),
      expiresAt: z.string(),
      candidates: z
        .array(z.string())
        .check(z.describe('Three numbers; one is shown on the requesting screen.')),
    }),
  ),
});

export const approveChallengeBody = z.strictObject({
  number: z.string().check(z.regex(/^\d{2}$/, 'must be the 2-digit number')),
});
export const denyChallengeBody = z.strictObject({
  report: z.optional(
    z.boolean().check(z.describe('Also cancel your pending requests, block push for an hour, alert admins.')),
  ),
});

export const magicLinkResponse = z.object({
  challenge: z.object({
    action: z.string(),
    actionLabel: z.string(),
    resource: z.string(),
    requestingDevice: requester,
    createdAt: z.string(),
    expiresAt: z.string(),
  }),
});
export const magicLinkConfirmResponse = z.object({
  challenge: z.object({ id: z.string(), action: z.string(), status: z.literal('approved') }),
});

const settingsShape = {
  methods: z.array(z.enum(CONFIRMATION_METHODS)).check(z.minLength(1), z.maxLength(2)),
  default: z.enum(CONFIRMATION_METHODS),
  reuseWindowSeconds: z.number().check(z.int(), z.minimum(30), z.maximum(3600)),
  confirmSecretViews: z.boolean(),
};
export const identitySettingsBody = z.strictObject({
  methods: z.optional(settingsShape.methods),
  default: z.optional(settingsShape.default),
  reuseWindowSeconds: z.optional(settingsShape.reuseWindowSeconds),
  confirmSecretViews: z.optional(settingsShape.confirmSecretViews),
});
export const identitySettingsResponse = z.object({ settings: z.object(settingsShape) });

export const scimTokenResponse = z.object({
  token: z.string().check(z.describe('Returned once: store it in your IdP. Replaces the previous token.')),
  createdAt: z.string(),
});
