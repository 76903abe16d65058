import { describe, expect, it } from 'vitest';
import type { Account, Membership } from '../../../shared/domain/accounts/model';
import { ForbiddenError, NotFoundError } from '../../../shared/domain/errors';
import type { SecretDeps } from '../../../shared/domain/secrets/use-cases';
import { shareableContentOf } from '../../../shared/runtime/share-links';
import { aUser } from '../../support/fakes';

const owner = aUser({ id: 'usr_owner' });
const collaborator = aUser({ id: 'usr_collab', email: 'bob@acme.example' });
const outsider = aUser({ id: 'usr_out', workspaceId: 'ws_other' });

const account = {
  id: 'acc_1',
  workspaceId: 'ws_1',
  appName: 'Ads console',
  username: 'ads@acme.example',
  loginUrl: 'https://ads.example/login',
  password: { sealed: 'under-kms' },
} as unknown as Account;

/** An account repository that counts its reads, and a keyring that opens one known ciphertext. */
function accountDeps() {
  const reads = { get: 0, membership: 0 };
  const viewed: string[] = [];
  const memberships: Record<string, Membership['role']> = { usr_owner: 'owner', usr_collab: 'collaborator' };
  return {
    reads,
    viewed,
    deps: {
      accounts: {
        async get(id: string) {
          reads.get++;
          return id === account.id ? account : undefined;
        },
        async membership(accountId: string, userId: string) {
          reads.membership++;
          const role = memberships[userId];
          return accountId === account.id && role
            ? { accountId, userId, role, addedAt: '2026-11-01T00:00:00.000Z' }
            : undefined;
        },
      },
      keyring: {
        seal: async () => {
          throw new Error('not used');
        },
        open: async (sealed: unknown, context: Record<string, string>) => {
          expect(sealed).toBe(account.password);
          expect(context).toEqual({ accountId: 'acc_1', purpose: 'account-password' });
          return 'correct horse battery staple';
        },
      },
      security: {
        record: (event: { event: string; userId?: string }) => viewed.push(`${event.event}:${event.userId}`),
      },
    },
  };
}

const noSecrets = {} as SecretDeps;

describe('shareableContentOf (what a share link of an account carries)', () => {
  it('hands the owner the account’s content after one owner check', async () => {
    const { deps, reads, viewed } = accountDeps();

    const content = await shareableContentOf(deps, noSecrets)(new Map())(owner, {
      type: 'account',
      id: 'acc_1',
    });

    expect(content).toEqual({
      type: 'account',
      appName: 'Ads console',
      username: 'ads@acme.example',
      password: 'correct horse battery staple',
      loginUrl: 'https://ads.example/login',
    });
    // Once: the owner check and the password read used to each read the account and the membership.
    expect(reads).toEqual({ get: 1, membership: 1 });
    expect(viewed).toEqual(['password.viewed:usr_owner']);
  });

  it('refuses a collaborator (403) without opening the password, with no confirmation check before it', async () => {
    const { deps, viewed } = accountDeps();

    const attempt = shareableContentOf(deps, noSecrets)(new Map())(collaborator, {
      type: 'account',
      id: 'acc_1',
    });

    await expect(attempt).rejects.toBeInstanceOf(ForbiddenError);
    expect(viewed).toEqual([]);
  });

  it('answers 404 to someone outside the workspace and for an account that does not exist', async () => {
    const { deps, viewed } = accountDeps();
    const content = shareableContentOf(deps, noSecrets)(new Map());

    await expect(content(outsider, { type: 'account', id: 'acc_1' })).rejects.toBeInstanceOf(NotFoundError);
    await expect(content(owner, { type: 'account', id: 'acc_missing' })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    expect(viewed).toEqual([]);
  });
});
