import { makeAccountRepository } from '../adapters/dynamodb/account-repository';
import { makeShareLinkRepository } from '../adapters/dynamodb/share-link-repository';
import { makeVaultRepository } from '../adapters/dynamodb/vault-repository';
import { makeSecretPrincipals } from '../adapters/team-access';
import { ENV, MissingConfigError } from '../config/env';
import {
  type AccessDeps as AccountAccessDeps,
  type AccountDeps,
  requireOwner,
  revealAccount,
} from '../domain/accounts/use-cases';
import { type AccessMemo, requireSecretRole, type SecretDeps, viewSecret } from '../domain/secrets/use-cases';
import type { ShareResource } from '../domain/share-links/model';
import type { ShareLinkDeps } from '../domain/share-links/use-cases';
import type { User } from '../domain/users/model';
import { httpRuntime } from './http';
import { sharedKeyring } from './keyring';

/**
 * What a recipient sees of an object, built per request (`access`: the request's memo, shared with the
 * confirmation's ownership check). Each object's sharer is checked **once** here: an account by
 * `revealAccount` (owner), a secret by `requireSecretRole` (manager) before its values are read. The
 * route's confirmation hook checks ownership too, before any challenge is pushed; this check is the one
 * that holds when nothing else ran.
 */
export function shareableContentOf(
  accountDeps: AccountAccessDeps & Pick<AccountDeps, 'keyring' | 'security'>,
  secretDeps: SecretDeps,
) {
  return (access: AccessMemo) =>
    async (caller: User, resource: ShareResource): Promise<Record<string, unknown>> => {
      if (resource.type === 'account') {
        const { account, password } = await revealAccount(caller, resource.id, accountDeps);
        return {
          type: 'account',
          appName: account.appName,
          username: account.username,
          password,
          ...(account.loginUrl ? { loginUrl: account.loginUrl } : {}),
        };
      }
      const scoped = { ...secretDeps, access };
      await requireSecretRole(caller, resource.id, 'manager', scoped);
      const { secret, items } = await viewSecret(caller, resource.id, scoped);
      return { type: 'secret', name: secret.name, items };
    };
}

/**
 * The HTTP runtime plus share links. This is where the share-link context meets accounts and secrets:
 * who owns an object (account owners, secret managers) and what a recipient sees of it.
 */
export function shareLinksRuntime() {
  const runtime = httpRuntime();
  const { doc, tableName, deps } = runtime;
  const keyring = sharedKeyring();
  const accounts = makeAccountRepository(doc, tableName);
  const accountDeps = { ...deps, accounts, keyring, inbox: undefined as never, inboundEmailDomain: '' };
  const secretDeps: SecretDeps = {
    ...deps,
    vaults: makeVaultRepository(doc, tableName),
    keyring,
    // A user acts as themselves and as each of their teams (docs/secrets.md).
    ...makeSecretPrincipals(doc, tableName),
  };
  /** `access`: the request's memo, so the ownership check and the content read share one grants read. */
  const requireShareOwner = async (caller: User, resource: ShareResource, access?: AccessMemo) => {
    if (resource.type === 'account') await requireOwner(caller, resource.id, accountDeps);
    else
      await requireSecretRole(caller, resource.id, 'manager', { ...secretDeps, access: access ?? new Map() });
  };
  const shareableContentWith = shareableContentOf(accountDeps, secretDeps);
  if (!deps.webBaseUrl) throw new MissingConfigError(ENV.webBaseUrl);
  const shareDeps: ShareLinkDeps = {
    ...deps,
    links: makeShareLinkRepository(doc, tableName),
    shareableContent: (caller, resource) => shareableContentWith(new Map())(caller, resource),
    ownerEmail: async (userId) => (await deps.users.getUser(userId))?.email,
    webBaseUrl: deps.webBaseUrl,
  };
  return { ...runtime, shareDeps, requireShareOwner, shareableContentWith };
}
