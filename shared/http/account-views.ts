import type * as zc from 'zod/v4/core';
import type { Account, AccountRole, Membership } from '../domain/accounts/model';
import type { AppCapabilities } from '../domain/rotation/apps';
import { type AppWebhookRepository, viewCapabilities } from '../domain/rotation/webhooks';
import type { accountSchema, memberSchema } from './account-schemas';

type AccountView = zc.input<typeof accountSchema>;

/**
 * Views of a page of the caller's accounts, their capabilities agreeing with what rotation accepts
 * (an app rotated through the workspace's webhook shows `passwordRotation`): at most one extra read
 * for the whole page (`viewCapabilities`).
 */
export async function toAccountViews(
  workspaceId: string,
  items: ReadonlyArray<{ account: Account; role: AccountRole }>,
  webhooks: Pick<AppWebhookRepository, 'appIds'> | undefined,
): Promise<AccountView[]> {
  const capabilities = await viewCapabilities(
    workspaceId,
    items.map((item) => item.account),
    webhooks,
  );
  return items.map(({ account, role }) => toAccountView(account, role, capabilities(account)));
}

/** One account's view (see `toAccountViews`). */
export async function toOneAccountView(
  account: Account,
  role: AccountRole,
  webhooks: Pick<AppWebhookRepository, 'appIds'> | undefined,
): Promise<AccountView> {
  return (await toAccountViews(account.workspaceId, [{ account, role }], webhooks))[0] as AccountView;
}

/** Never the password or the TOTP seed: only that TOTP is configured, and how. */
function toAccountView(account: Account, role: AccountRole, capabilities: AppCapabilities): AccountView {
  return {
    id: account.id,
    appName: account.appName,
    ...(account.loginUrl ? { loginUrl: account.loginUrl } : {}),
    username: account.username,
    ...(account.appId ? { appId: account.appId } : {}),
    capabilities,
    passwordVersion: account.passwordVersion ?? 1,
    ...(account.activeRotation
      ? {
          rotation: {
            id: account.activeRotation.id,
            kind: account.activeRotation.kind,
            changing: Boolean(account.activeRotation.changingSince),
          },
        }
      : {}),
    ...(account.lastRotation ? { lastRotation: account.lastRotation } : {}),
    ...(account.phoneNumber ? { phoneNumber: account.phoneNumber } : {}),
    ...(account.emailAddress ? { emailAddress: account.emailAddress } : {}),
    ...(account.totp
      ? {
          totp: {
            digits: account.totp.digits,
            period: account.totp.period,
            algorithm: account.totp.algorithm,
          },
        }
      : {}),
    role,
    ...(account.flags?.length ? { flags: account.flags } : {}),
    createdAt: account.createdAt,
    updatedAt: account.updatedAt,
  };
}

export function toMemberView(member: Membership): zc.input<typeof memberSchema> {
  return { userId: member.userId, role: member.role, addedAt: member.addedAt };
}
