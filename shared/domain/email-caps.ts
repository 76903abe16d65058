import { EmailCapReachedError } from './errors';
import type { Clock, EmailQuota, Mailer, OutgoingEmail, SecurityLog } from './ports';

/**
 * Whatever reaches a person's inbox is capped per user, per purpose, per clock hour (SECURITY.md
 * "Push approvals": no endpoint lets one caller flood someone's inbox). Emails a caller asks for
 * (codes, magic links) are refused over the cap with 429 `email_cap_reached` before anything
 * changes; notices about something that already happened (a device trusted, a report alert) are
 * dropped over the cap and the drop is a security event.
 */
export const EMAIL_CAPS_PER_HOUR = {
  /** Device verification codes: registration, resend, switch to code. */
  device_code: 10,
  /** "New device trusted" notices. */
  device_notice: 10,
  /** Identity-confirmation magic links. */
  magic_link: 10,
  /** Report alerts to a workspace admin (counted per admin). */
  security_alert: 20,
} as const;
export type EmailPurpose = keyof typeof EMAIL_CAPS_PER_HOUR;

export interface EmailCapDeps {
  emailQuota: EmailQuota;
  mailer: Mailer;
  clock: Clock;
  security: SecurityLog;
}

const HOUR_MS = 3_600_000;

/** One email taken from an allowance, before the write that makes it necessary. */
export interface EmailReservation {
  /**
   * Gives the email back when that write was refused and nothing is sent: an allowance is spent only
   * on emails that go out. Best effort: if the release itself fails, the email stays counted (the
   * cap errs on the side of fewer emails) and the caller's own error is what surfaces.
   */
  release(): Promise<void>;
}

/** Takes one email of the user's hourly allowance for `purpose`, or throws 429 email_cap_reached. */
export async function reserveEmail(
  deps: EmailCapDeps,
  userId: string,
  purpose: EmailPurpose,
): Promise<EmailReservation> {
  const now = deps.clock.now();
  const hour = Math.floor(now.getTime() / HOUR_MS);
  if (await deps.emailQuota.take(userId, purpose, EMAIL_CAPS_PER_HOUR[purpose], hour))
    return { release: () => deps.emailQuota.release(userId, purpose, hour).catch(() => undefined) };
  deps.security.record({ event: 'email.capped', outcome: 'failure', reason: purpose, userId });
  const retryAfter = Math.ceil(((hour + 1) * HOUR_MS - now.getTime()) / 1000);
  throw new EmailCapReachedError(purpose, retryAfter);
}

/** Runs `prepare` (the write an email depends on) with one email reserved, released if it throws. */
export async function withEmailReserved<T>(
  deps: EmailCapDeps,
  userId: string,
  purpose: EmailPurpose,
  prepare: () => Promise<T>,
): Promise<T> {
  const reservation = await reserveEmail(deps, userId, purpose);
  try {
    return await prepare();
  } catch (error) {
    await reservation.release();
    throw error;
  }
}

/** Sends a notice within the cap; over it, records the drop instead. */
export async function sendNotice(
  deps: EmailCapDeps,
  userId: string,
  purpose: EmailPurpose,
  email: OutgoingEmail,
): Promise<boolean> {
  try {
    await reserveEmail(deps, userId, purpose);
  } catch (error) {
    if (error instanceof EmailCapReachedError) return false;
    throw error;
  }
  await deps.mailer.send(email);
  return true;
}
