import { createGuardrails, generate } from 'otplib';
import { InvalidTotpError } from './errors';
import { TOTP_ALGORITHMS, type TotpAlgorithm } from './model';

export interface TotpInput {
  secret: string;
  digits: 6 | 7 | 8;
  period: number;
  algorithm: TotpAlgorithm;
}

const BASE32 = /^[A-Z2-7]+=*$/;

/** Normalises and checks a base32 seed: at least 80 bits (16 characters), as RFC 4226 recommends. */
export function normaliseSecret(secret: string): string {
  const clean = secret.replace(/[\s-]/g, '').toUpperCase();
  if (!BASE32.test(clean)) throw new InvalidTotpError('the secret is not base32');
  if (clean.replace(/=+$/, '').length < 16) throw new InvalidTotpError('the secret is shorter than 80 bits');
  if (clean.length > 256) throw new InvalidTotpError('the secret is too long');
  return clean.replace(/=+$/, '');
}

function checked(input: { secret: string; digits?: number; period?: number; algorithm?: string }): TotpInput {
  const digits = input.digits ?? 6;
  const period = input.period ?? 30;
  const algorithm = (input.algorithm ?? 'SHA1').toUpperCase();
  if (digits !== 6 && digits !== 7 && digits !== 8) throw new InvalidTotpError('digits must be 6, 7 or 8');
  if (!Number.isInteger(period) || period < 15 || period > 300)
    throw new InvalidTotpError('period must be 15-300 s');
  if (!(TOTP_ALGORITHMS as readonly string[]).includes(algorithm)) {
    throw new InvalidTotpError('algorithm must be SHA1, SHA256 or SHA512');
  }
  return { secret: normaliseSecret(input.secret), digits, period, algorithm: algorithm as TotpAlgorithm };
}

/** `otpauth://totp/Label?secret=...&digits=&period=&algorithm=` (Key Uri Format), or the fields given directly. */
export function parseTotp(
  input: { otpauthUri: string } | { secret: string; digits?: number; period?: number; algorithm?: string },
): TotpInput {
  if (!('otpauthUri' in input)) return checked(input);
  let url: URL;
  try {
    url = new URL(input.otpauthUri);
  } catch {
    throw new InvalidTotpError('the otpauth URI does not parse');
  }
  if (url.protocol !== 'otpauth:' || url.hostname.toLowerCase() !== 'totp') {
    throw new InvalidTotpError('only otpauth://totp/ URIs are accepted');
  }
  const secret = url.searchParams.get('secret');
  if (!secret) throw new InvalidTotpError('the otpauth URI has no secret');
  const number = (name: string) => {
    const value = url.searchParams.get(name);
    return value === null ? undefined : Number(value);
  };
  return checked({
    secret,
    ...(number('digits') !== undefined ? { digits: number('digits') } : {}),
    ...(number('period') !== undefined ? { period: number('period') } : {}),
    ...(url.searchParams.get('algorithm') ? { algorithm: url.searchParams.get('algorithm') as string } : {}),
  });
}

/**
 * otplib refuses seeds under 128 bits by default; real services still issue 80-bit seeds (RFC 4226's
 * minimum, Google Authenticator's classic length), and refusing them would lock those accounts out.
 */
const GUARDRAILS = createGuardrails({ MIN_SECRET_BYTES: 10 });

/** The code for `now`, with the moment it stops being valid (the end of its time step). */
export async function totpCode(
  input: TotpInput,
  now: Date,
): Promise<{ code: string; period: number; expiresAt: string }> {
  const seconds = Math.floor(now.getTime() / 1000);
  const code = await generate({
    secret: input.secret,
    digits: input.digits,
    period: input.period,
    algorithm: input.algorithm.toLowerCase() as 'sha1' | 'sha256' | 'sha512',
    epoch: seconds,
    guardrails: GUARDRAILS,
  });
  const expiresAt = new Date((Math.floor(seconds / input.period) + 1) * input.period * 1000).toISOString();
  return { code, period: input.period, expiresAt };
}
