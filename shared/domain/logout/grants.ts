import type { Account } from '../accounts/model';
import type { GrantLedger } from './ports';

/** Since when an account's password is the one a grant handed out: its last successful rotation. */
export function passwordSince(account: Pick<Account, 'lastRotation'>): string | undefined {
  return account.lastRotation?.status === 'succeeded' ? account.lastRotation.at : undefined;
}

/** After a grant: remember that this user saw this account's password (cheap, conditional). */
export async function recordGrant(
  account: Account,
  grant: { userId: string; issuedAt: string },
  ledger: GrantLedger,
): Promise<void> {
  await ledger.record(
    {
      userId: grant.userId,
      accountId: account.id,
      workspaceId: account.workspaceId,
      lastGrantAt: grant.issuedAt,
    },
    passwordSince(account),
  );
}
