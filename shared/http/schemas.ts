import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import { CLIENT_TYPES, DEVICE_STATUSES, PUSH_PLATFORMS } from '../domain/devices/model';
import { NOTIFICATION_TYPES, type NotificationType } from '../domain/notifications/catalogue';
import { USER_STATUSES, WORKSPACE_ROLES } from '../domain/users/model';

/**
 * Request and response shapes. Runtime schemas use `zod/mini` (about 18 KB bundled against 84 KB for
 * classic zod; see the bundle budget in the README); `z.config(en())` keeps readable messages.
 * JSON is camelCase; timestamps ISO 8601 UTC; ids opaque strings.
 */
z.config(en());

export const errorBody = z
  .catchall(
    z.object({
      error: z.string().check(z.describe('Stable machine-readable code, e.g. `validation_failed`.')),
      message: z.string().check(z.describe('Human-readable explanation.')),
    }),
    z.unknown(),
  )
  .register(z.globalRegistry, { id: 'Error' });

export const userSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    workspaceId: z.string(),
    workspaceRole: z.enum(WORKSPACE_ROLES),
    status: z.enum(USER_STATUSES),
  })
  .register(z.globalRegistry, { id: 'User' });

export const healthResponse = z.object({ status: z.literal('ok') });
export const meResponse = z.object({
  user: userSchema,
  session: z.optional(
    z
      .object({ deviceId: z.string(), trusted: z.boolean() })
      .check(
        z.describe(
          'Present when the request carried a device credential (X-Latchkey-Device): whether this session is trusted yet.',
        ),
      ),
  ),
});

/** Display names: trimmed, 1-100 characters, no control characters. */
export const displayName = z
  .string()
  .check(
    z.trim(),
    z.minLength(1),
    z.maxLength(100),
    z.regex(/^[^\p{Cc}]*$/u, 'must not contain control characters'),
  );
export const updateMeBody = z.strictObject({ name: displayName });

/**
 * Client-reported labels (OS, browser, hardware) and device names: control and bidi characters are
 * removed at write time (and the device flagged `sanitized`), not refused.
 */
const label = z.string().check(z.trim(), z.minLength(1), z.maxLength(50));
const deviceName = z.string().check(z.trim(), z.minLength(1), z.maxLength(100));
const id = z.string().check(z.minLength(1), z.maxLength(64), z.regex(/^[\w-]+$/, 'must be an id'));

export const idParams = z.strictObject({ id });
export const userIdParams = z.strictObject({ userId: id });

export const deviceSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    clientType: z.enum(CLIENT_TYPES),
    os: z.string(),
    browser: z.optional(z.string()),
    model: z.optional(z.string()),
    status: z.enum(DEVICE_STATUSES),
    verificationMethod: z.enum(['email_code', 'approval']),
    createdAt: z.string(),
    lastSeenAt: z.string(),
    trustedAt: z.optional(z.string()),
    push: z.optional(
      z.object({
        platform: z.enum(PUSH_PLATFORMS),
        active: z
          .boolean()
          .check(z.describe('False once SNS disabled the endpoint: register the token again.')),
      }),
    ),
    pendingUntil: z.optional(z.string().check(z.describe('When a pending device stops waiting.'))),
    current: z.optional(z.boolean().check(z.describe('True on the device that made this request.'))),
    numberToMatch: z.optional(
      z
        .string()
        .check(
          z.describe(
            "Two digits the new device shows while it waits for approval; only on the pending device's own view.",
          ),
        ),
    ),
    candidates: z.optional(
      z
        .array(z.string())
        .check(
          z.describe(
            'Three distinct two-digit numbers, one of them right: on pending approvals in a trusted list.',
          ),
        ),
    ),
    flags: z.optional(
      z
        .array(z.string())
        .check(z.describe('`sanitized`: control or bidi characters were removed from what the client sent.')),
    ),
    publicKey: z.optional(
      z
        .object({ thumbprint: z.string(), setAt: z.string() })
        .check(
          z.describe(
            "The device's encryption key, by its RFC 7638 SHA-256 thumbprint: login grants are sealed to it.",
          ),
        ),
    ),
  })
  .register(z.globalRegistry, { id: 'Device' });

/** What a device that is not trusted yet sees of the caller's devices ("remind me later"). */
export const deviceSummarySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    clientType: z.enum(CLIENT_TYPES),
    status: z.enum(DEVICE_STATUSES),
    current: z.boolean(),
  })
  .register(z.globalRegistry, { id: 'DeviceSummary' });

/**
 * A P-256 public key as a JWK, e.g. what WebCrypto's `exportKey('jwk', publicKey)` gives (`ext`,
 * `key_ops`, `alg`, `use`, `kid` are accepted and ignored). The private part (`d`) is refused.
 */
export const publicKeyJwk = z
  .looseObject({
    kty: z.string().check(z.maxLength(10)),
    crv: z.string().check(z.maxLength(10)),
    x: z.string().check(z.maxLength(64)),
    y: z.string().check(z.maxLength(64)),
  })
  .register(z.globalRegistry, {
    id: 'PublicKeyJwk',
    description: 'An EC P-256 public key (JWK). Login grants are encrypted to it (ECDH-ES, A256GCM).',
  });

export const registerDeviceBody = z.strictObject({
  clientType: z.enum(CLIENT_TYPES),
  os: label,
  browser: z.optional(label),
  model: z.optional(label.check(z.describe('The hardware name the client reports, e.g. "MacBook".'))),
  name: z.optional(deviceName),
  noTrustedDeviceAtHand: z.optional(z.boolean()),
  publicKey: z.optional(publicKeyJwk),
});
export const devicePublicKeyBody = z.strictObject({ publicKey: publicKeyJwk });
export const verificationSchema = z.object({
  method: z.enum(['email_code', 'approval']),
  expiresAt: z.string(),
});
export const registerDeviceResponse = z.object({
  device: deviceSchema,
  credential: z.optional(
    z
      .string()
      .check(
        z.describe(
          'Returned once. Send it as the X-Latchkey-Device header. A web client that registers with X-Latchkey-Csrf gets it only as the device cookie.',
        ),
      ),
  ),
  verification: verificationSchema,
});
export const verifyDeviceBody = z.strictObject({
  code: z.string().check(z.regex(/^\d{6}$/, 'must be 6 digits')),
});
export const renameDeviceBody = z.strictObject({ name: deviceName });
export const approveDeviceBody = z.strictObject({
  number: z
    .string()
    .check(
      z.regex(/^\d{2}$/, 'must be 2 digits'),
      z.describe('The number the new device shows, picked from its `candidates`.'),
    ),
});
export const denyDeviceBody = z.optional(
  z.strictObject({
    report: z.optional(
      z
        .boolean()
        .check(z.describe('Also pause approval requests for an hour and alert the workspace admins.')),
    ),
  }),
);
export const deviceResponse = z.object({ device: deviceSchema });
export const verificationResponse = z.object({ verification: verificationSchema });
export const deviceListResponse = z.object({
  items: z.array(z.union([deviceSchema, deviceSummarySchema])),
  nextCursor: z.nullable(z.string()),
  reduced: z
    .boolean()
    .check(
      z.describe('True for a device not trusted yet: items are DeviceSummary (names, types, statuses).'),
    ),
});

/** A map with one optional entry per notification type, each of the given shape. */
function perType<T extends z.ZodMiniType>(value: T) {
  return z.strictObject(
    Object.fromEntries(NOTIFICATION_TYPES.map((type) => [type, z.optional(value)])) as Record<
      NotificationType,
      z.ZodMiniOptional<T>
    >,
  );
}

const workspaceTypeSetting = z.strictObject({ enabled: z.boolean(), enforced: z.boolean() });
const preferenceSetting = z.strictObject({ enabled: z.boolean() });
const effectivePreference = z.object({
  enabled: z.boolean().check(z.describe('Whether this user gets the type now.')),
  available: z.boolean().check(z.describe('The workspace has the type on.')),
  locked: z.boolean().check(z.describe('The workspace enforces it; the user cannot turn it off.')),
});

export const workspaceSettingsBody = perType(workspaceTypeSetting);
export const workspaceSettingsResponse = z.object({ settings: perType(workspaceTypeSetting) });
export const preferencesBody = perType(preferenceSetting);
export const preferencesResponse = z.object({ preferences: perType(effectivePreference) });

export const pushRegistrationBody = z.strictObject({
  platform: z.enum(PUSH_PLATFORMS),
  token: z
    .string()
    .check(z.minLength(8), z.maxLength(4096), z.regex(/^[\x21-\x7e]+$/, 'must be printable ASCII')),
});
export const pushRegistrationResponse = z.object({
  pushRegistration: z.object({
    platform: z.enum(PUSH_PLATFORMS),
    active: z.boolean().check(z.describe('False when the platform has no SNS application configured.')),
    updatedAt: z.string(),
  }),
});

export const notificationSchema = z
  .object({
    id: z.string(),
    type: z.enum(NOTIFICATION_TYPES as [NotificationType, ...NotificationType[]]),
    title: z.string(),
    body: z.string(),
    data: z.record(z.string(), z.string()),
    createdAt: z.string(),
    outcome: z.optional(z.enum(['pending', 'approved', 'denied', 'expired', 'disabled'])),
  })
  .register(z.globalRegistry, { id: 'Notification' });
export const listQuery = z.strictObject({
  limit: z.optional(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100))),
  cursor: z.optional(z.string().check(z.maxLength(1024))),
});
export const notificationListResponse = z.object({
  items: z.array(notificationSchema),
  nextCursor: z.nullable(z.string()),
});

/** What every delete answers. */
export const deletedResponse = z.object({ deleted: z.literal(true) });
