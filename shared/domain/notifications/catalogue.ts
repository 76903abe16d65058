/**
 * The notification catalogue: every type Latchkey sends, in one place. Adding a type is one entry.
 * Texts are generic on purpose: payloads carry ids, never a code, password or token; the app fetches
 * details over the API.
 */
export const NOTIFICATION_CATALOGUE = {
  identity_verification_request: {
    title: 'Latchkey',
    body: "Confirm it's you",
    category: 'IDENTITY_CONFIRMATION',
    // `candidates`: the three numbers, comma-separated, so the phone can answer from the notification.
    ids: ['challengeId', 'candidates'],
  },
  trusted_device_request: {
    title: 'New device',
    body: 'A new device wants to use your Latchkey account',
    category: 'TRUSTED_DEVICE_REQUEST',
    ids: ['deviceId', 'candidates'],
  },
  account_shared: {
    title: 'Account shared with you',
    body: 'You can now use a shared account in Latchkey',
    category: 'ACCOUNT_SHARED',
    ids: ['accountId'],
  },
  otp_code_received: {
    title: 'Verification code received',
    body: 'A new code arrived in a shared inbox',
    category: 'OTP_CODE_RECEIVED',
    ids: ['accountId', 'messageId'],
  },
  unrecognized_login: {
    title: 'New login location',
    body: 'A shared account was used from a network you have not used lately. Not you?',
    category: 'UNRECOGNIZED_LOGIN',
    // The grant first: the "not me" answer names it; the device and account say what to show.
    ids: ['grantId', 'accountId', 'deviceId'],
  },
  share_link_opened: {
    title: 'Share link opened',
    body: 'Someone opened a link you shared',
    category: 'SHARE_LINK_OPENED',
    ids: ['linkId'],
  },
  rotation_failed: {
    title: 'Password rotation failed',
    body: 'A rotation failed; the working password is still current',
    category: 'ROTATION_FAILED',
    ids: ['accountId', 'rotationId'],
  },
  workspace_owner_lost: {
    title: 'Workspace has no owner',
    body: 'Name a new owner',
    category: 'OWNER_LOST',
    // The owner the IdP deprovisioned.
    ids: ['userId'],
  },
  app_webhook_changed: {
    title: 'App webhook changed',
    body: 'Where an app’s rotated passwords are sent has changed',
    category: 'APP_WEBHOOK_CHANGED',
    // `change`: created, updated or deleted; `origin`: the URL's scheme, host and port only (the
    // owners must see where passwords go; the path, which may hold a token, is left out).
    ids: ['appId', 'actorUserId', 'change', 'origin'],
  },
} as const satisfies Record<
  string,
  { title: string; body: string; category: string; ids: readonly string[] }
>;

export type NotificationType = keyof typeof NOTIFICATION_CATALOGUE;
export const NOTIFICATION_TYPES = Object.keys(NOTIFICATION_CATALOGUE) as NotificationType[];

/** Keeps only the ids the type declares: nothing else can ride along in a push. */
export function payloadIds(type: NotificationType, payload: Record<string, string>): Record<string, string> {
  const allowed: readonly string[] = NOTIFICATION_CATALOGUE[type].ids;
  return Object.fromEntries(Object.entries(payload).filter(([key]) => allowed.includes(key)));
}
