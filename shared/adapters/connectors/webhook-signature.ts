import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures in the Standard Webhooks format (standardwebhooks.com, the scheme Svix and others
 * use), so receivers can use its libraries: headers `webhook-id`, `webhook-timestamp` (epoch seconds)
 * and `webhook-signature: v1,<base64 HMAC-SHA256>` over `<id>.<timestamp>.<raw body>`, keyed with the
 * bytes of the secret `whsec_<base64>`. The id and the timestamp are inside the signed string, so a
 * receiver that rejects old timestamps and ids it has seen cannot be replayed.
 */
export const SECRET_PREFIX = 'whsec_';
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** 256 random bits, with the identifiable prefix (secret scanners find leaked ones). */
export function newWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}

function keyOf(secret: string): Buffer {
  if (!secret.startsWith(SECRET_PREFIX)) throw new Error('not a webhook secret');
  return Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
}

export function signature(secret: string, id: string, timestamp: number, body: string): string {
  return `v1,${createHmac('sha256', keyOf(secret)).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

export type SignedHeaders = Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string>;

export function signedHeaders(secret: string, id: string, timestamp: number, body: string): SignedHeaders {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signature(secret, id, timestamp, body),
  };
}

export type VerifyOutcome =
  | { ok: true; id: string }
  | { ok: false; reason: 'missing_headers' | 'stale_timestamp' | 'bad_signature' | 'replayed' };

/**
 * The receiver's side, as docs/rotation.md describes it (the demo app and the tests use it): the
 * timestamp within `toleranceSeconds` of now, one of the `v1` signatures equal in constant time, and
 * the id not seen before (`seen` answers and remembers; keep ids at least as long as the tolerance).
 */
export function verifyWebhook(input: {
  secret: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  nowSeconds: number;
  seen: (id: string) => boolean;
  toleranceSeconds?: number;
}): VerifyOutcome {
  const header = (name: string) => {
    const value = input.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const id = header('webhook-id');
  const timestamp = header('webhook-timestamp');
  const signatures = header('webhook-signature');
  if (!id || !timestamp || !signatures || !/^\d{1,12}$/.test(timestamp)) {
    return { ok: false, reason: 'missing_headers' };
  }
  const tolerance = input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (Math.abs(input.nowSeconds - Number(timestamp)) > tolerance)
    return { ok: false, reason: 'stale_timestamp' };
  const expected = Buffer.from(signature(input.secret, id, Number(timestamp), input.body));
  const matches = signatures.split(' ').some((candidate) => {
    const given = Buffer.from(candidate);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!matches) return { ok: false, reason: 'bad_signature' };
  // Only a genuine message may claim an id: checked after the signature, so forgeries fill nothing.
  if (input.seen(id)) return { ok: false, reason: 'replayed' };
  return { ok: true, id };
}
