import type * as zc from 'zod/v4/core';
import type { Account, AccountRole, Membership } from '../domain/accounts/model';
import { effectiveCapabilities } from '../domain/rotation/apps';
import type { accountSchema, memberSchema } from './account-schemas';

/** Never the password or the TOTP seed: only that TOTP is configured, and how. */
export function toAccountView(account: Account, role: AccountRole): zc.input<typeof accountSchema> {
  return {
    id: account.id,
    appName: account.appName,
    ...(account.loginUrl ? { loginUrl: account.loginUrl } : {}),
    username: account.username,
    ...(account.appId ? { appId: account.appId } : {}),
    capabilities: effectiveCapabilities(account),
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
