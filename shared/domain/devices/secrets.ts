import { randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/** A 6-digit code from the CSPRNG; randomInt's upper bound is exclusive, so 000000..999999. */
export function newVerificationCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

/** 256 random bits, URL-safe: the secret half of a device credential. */
export function newCredentialSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** The credential a device presents: `<deviceId>.<secret>`. The id half lets the check be one read. */
export function formatCredential(deviceId: string, secret: string): string {
  return `${deviceId}.${secret}`;
}

export function parseCredential(value: string | undefined): { deviceId: string; secret: string } | undefined {
  if (!value) return undefined;
  const dot = value.indexOf('.');
  if (dot <= 0 || dot === value.length - 1 || value.length > 200) return undefined;
  return { deviceId: value.slice(0, dot), secret: value.slice(dot + 1) };
}

/** Constant-time comparison of two hex digests (equal length by construction; unequal -> false). */
export function digestsEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
}

/** What each HMAC covers: purpose, owner and device, so a value is useless anywhere else. */
export const hmacInput = {
  credential: (userId: string, deviceId: string, secret: string) =>
    `device-credential\n${userId}\n${deviceId}\n${secret}`,
  code: (userId: string, deviceId: string, code: string) => `device-code\n${userId}\n${deviceId}\n${code}`,
};

/**
 * Three distinct two-digit numbers from the CSPRNG, in random order; the first drawn is the one the
 * requesting screen shows. `randomInt`'s upper bound is exclusive: 10..99.
 */
export function newNumberChallenge(): { numberToMatch: string; candidates: string[] } {
  const drawn = new Set<string>();
  while (drawn.size < 3) drawn.add(String(randomInt(10, 100)));
  const candidates = [...drawn];
  const numberToMatch = candidates[0] as string;
  for (let i = candidates.length - 1; i > 0; i--) {
    const j = randomInt(0, i + 1);
    [candidates[i], candidates[j]] = [candidates[j] as string, candidates[i] as string];
  }
  return { numberToMatch, candidates };
}

/** Constant-time equality of two short strings (unequal lengths -> false). */
export function sameNumber(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
}
