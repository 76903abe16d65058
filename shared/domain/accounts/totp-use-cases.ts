import type { User } from '../users/model';
import { TotpNotConfiguredError } from './errors';
import type { Account } from './model';
import { parseTotp, type TotpInput, totpCode } from './totp';
import { type AccountDeps, requireMember, requireOwner } from './use-cases';

export type TotpDeps = Pick<AccountDeps, 'accounts' | 'keyring' | 'clock' | 'security'>;

/** Latchkey-managed TOTP: the seed is sealed under the account and never leaves except as codes. */
const totpContext = (accountId: string) => ({ accountId, purpose: 'account-totp-seed' });

export async function setTotp(
  caller: User,
  accountId: string,
  input: Parameters<typeof parseTotp>[0],
  deps: TotpDeps,
): Promise<{ digits: number; period: number; algorithm: string }> {
  await requireOwner(caller, accountId, deps);
  const parsed = parseTotp(input);
  const seed = await deps.keyring.seal(parsed.secret, totpContext(accountId));
  await deps.accounts.setTotp(
    accountId,
    { seed, digits: parsed.digits, period: parsed.period, algorithm: parsed.algorithm },
    deps.clock.now(),
  );
  deps.security.record({ event: 'totp.enrolled', outcome: 'success', userId: caller.id, reason: accountId });
  return { digits: parsed.digits, period: parsed.period, algorithm: parsed.algorithm };
}

/** Members get codes, never the seed. */
export async function getTotpCode(caller: User, accountId: string, deps: TotpDeps) {
  const { account } = await requireMember(caller, accountId, deps);
  return currentTotpCode(account, deps);
}

/** The account's TOTP code for now, opened from the sealed seed (no access check: callers do that). */
export async function currentTotpCode(account: Account, deps: Pick<TotpDeps, 'keyring' | 'clock'>) {
  if (!account.totp) throw new TotpNotConfiguredError();
  const input: TotpInput = {
    secret: await deps.keyring.open(account.totp.seed, totpContext(account.id)),
    digits: account.totp.digits,
    period: account.totp.period,
    algorithm: account.totp.algorithm,
  };
  return totpCode(input, deps.clock.now());
}

export async function deleteTotp(caller: User, accountId: string, deps: TotpDeps): Promise<void> {
  await requireOwner(caller, accountId, deps);
  await deps.accounts.setTotp(accountId, undefined, deps.clock.now());
}
