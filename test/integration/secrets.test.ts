import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { makeHmac } from '../../shared/adapters/crypto/hmac';
import { makeDirectoryRepository } from '../../shared/adapters/dynamodb/directory-repository';
import { makeUserRepository } from '../../shared/adapters/dynamodb/user-repository';
import { makeVaultRepository, vaultKeys } from '../../shared/adapters/dynamodb/vault-repository';
import { newId } from '../../shared/adapters/ids';
import { localDataKeys, makeKeyring } from '../../shared/adapters/kms/keyring';
import { makeSecretPrincipals } from '../../shared/adapters/team-access';
import type { Team } from '../../shared/domain/directory/scim-model';
import { ForbiddenError, InvalidCursorError, NotFoundError } from '../../shared/domain/errors';
import type { DomainEvent } from '../../shared/domain/events';
import {
  LastManagerError,
  SecretConflictError,
  VaultNotEmptyError,
  VaultRoleNotAllowedError,
} from '../../shared/domain/secrets/errors';
import type { SecretVersion } from '../../shared/domain/secrets/model';
import {
  createSecret,
  createVault,
  deleteSecret,
  deleteVault,
  editSecret,
  listSecrets,
  listVaults,
  putVaultMember,
  removeVaultMember,
  requireSecretRole,
  restoreSecret,
  type SecretDeps,
  viewSecret,
} from '../../shared/domain/secrets/use-cases';
import type { WorkspaceRole } from '../../shared/domain/users/model';
import { fixedClock } from '../support/fakes';
import { localTable, unique, workspaceMember } from './dynamo';

const { doc, tableName } = localTable();
const users = makeUserRepository(doc, tableName);

const directory = makeDirectoryRepository(doc, tableName);

/** A directory team of the workspace with these members, as SCIM writes it. */
async function teamOf(workspaceId: string, members: string[]): Promise<Team> {
  const at = new Date().toISOString();
  const team = await directory.createTeam({
    id: newId('team'),
    workspaceId,
    displayName: unique('team'),
    memberCount: 0,
    createdAt: at,
    updatedAt: at,
    version: 1,
  });
  const written = await directory.updateTeam(
    team,
    { displayName: team.displayName, add: members, remove: [] },
    new Date(),
    event,
  );
  if (written === 'conflict') throw new Error('team write conflicted');
  return written;
}

function event(added: string[], removed: string[]): DomainEvent {
  return {
    id: newId('evt'),
    type: 'team.membership_changed',
    occurredAt: new Date().toISOString(),
    workspaceId: 'ws',
    detail: { added, removed },
  };
}

function setup() {
  const clock = fixedClock('2026-11-23T12:00:00.000Z');
  const deps: SecretDeps = {
    vaults: makeVaultRepository(doc, tableName),
    users,
    keyring: makeKeyring(localDataKeys(Buffer.alloc(32, 7))),
    ...makeSecretPrincipals(doc, tableName),
    clock,
    newId,
    security: { record: () => undefined },
    hmac: makeHmac(async () => Buffer.alloc(32, 4)),
  };
  return { deps, clock };
}

const member = (workspace: string, role?: WorkspaceRole) => workspaceMember(users, workspace, role);

const content = {
  name: 'Ads',
  items: [{ type: 'login' as const, name: 'pw', value: 'correct horse battery' }],
};

describe('vaults and secrets on DynamoDB Local', () => {
  it('pages vaults and secrets with sealed cursors only: a hand-made or borrowed one is 400 invalid_cursor', async () => {
    const { deps } = setup();
    const workspace = unique('ws');
    const owner = await member(workspace);
    const other = await member(workspace);
    const vaults = [];
    for (const name of ['A', 'B', 'C']) vaults.push(await createVault(owner, { name }, deps));
    for (const name of ['one', 'two', 'three'])
      await createSecret(owner, (vaults[0] as { id: string }).id, { ...content, name }, deps);
    const vaultId = (vaults[0] as { id: string }).id;

    const vaultPages = [await listVaults(owner, { limit: 2 }, deps)];
    vaultPages.push(
      await listVaults(owner, { limit: 2, cursor: vaultPages[0]?.nextCursor ?? undefined }, deps),
    );
    const secretPage = await listSecrets(owner, vaultId, { limit: 2, trash: false }, deps);
    const secretRest = await listSecrets(
      owner,
      vaultId,
      { limit: 2, trash: false, cursor: secretPage.nextCursor ?? undefined },
      deps,
    );
    const forged = Buffer.from(vaultId).toString('base64url');

    expect(vaultPages.flatMap((page) => page.items.map((item) => item.vault.id)).sort()).toEqual(
      vaults.map((vault) => vault.id).sort(),
    );
    expect(secretPage.items.length + secretRest.items.length).toBe(3);
    await expect(listVaults(owner, { limit: 2, cursor: forged }, deps)).rejects.toBeInstanceOf(
      InvalidCursorError,
    );
    await expect(
      listSecrets(owner, vaultId, { limit: 2, trash: false, cursor: forged }, deps),
    ).rejects.toBeInstanceOf(InvalidCursorError);
    // Another caller's cursor, or one for the trash of the same vault, is not theirs to use.
    await expect(
      listVaults(other, { limit: 2, cursor: vaultPages[0]?.nextCursor ?? undefined }, deps),
    ).rejects.toBeInstanceOf(InvalidCursorError);
    await expect(
      listSecrets(
        owner,
        vaultId,
        { limit: 2, trash: true, cursor: secretPage.nextCursor ?? undefined },
        deps,
      ),
    ).rejects.toBeInstanceOf(InvalidCursorError);
  });

  it('seals the values at rest under the secret’s own encryption context', async () => {
    const { deps } = setup();
    const owner = await member(unique('ws'));
    const vault = await createVault(owner, { name: 'V' }, deps);

    const { secret } = await createSecret(owner, vault.id, content, deps);
    const { Item } = await doc.send(
      new GetCommand({ TableName: tableName, Key: vaultKeys.secret(secret.id) }),
    );
    const version = await doc.send(
      new GetCommand({ TableName: tableName, Key: vaultKeys.version(secret.id, 1) }),
    );
    const viewed = await viewSecret(owner, secret.id, deps);

    expect(JSON.stringify(Item)).not.toContain('battery');
    expect(JSON.stringify(version.Item)).not.toContain('battery');
    expect(viewed.items).toEqual(content.items);
    // Another secret's context does not open these values (no swapping ciphertexts between secrets).
    await expect(
      deps.keyring.open(secret.sealed, { secretId: 'sec_other', purpose: 'secret-items' }),
    ).rejects.toThrow();
  });

  it('fails a concurrent edit from a stale version instead of overwriting it; each win is a version', async () => {
    const { deps } = setup();
    const owner = await member(unique('ws'));
    const vault = await createVault(owner, { name: 'V' }, deps);
    const { secret } = await createSecret(owner, vault.id, content, deps);

    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => editSecret(owner, secret.id, { name: `edit-${i}` }, deps)),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected');
    const current = await deps.vaults.getSecret(secret.id);

    expect(won.length).toBeGreaterThanOrEqual(1);
    expect(won.length + lost.length).toBe(10);
    for (const r of lost) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(SecretConflictError);
    expect(current?.version).toBe(1 + won.length);
    expect((await deps.vaults.listVersions(secret.id, { limit: 25 })).length).toBe(1 + won.length);
  });

  it('applies exactly one of ten concurrent version writes from the same expected version', async () => {
    const { deps } = setup();
    const owner = await member(unique('ws'));
    const vault = await createVault(owner, { name: 'V' }, deps);
    const { secret } = await createSecret(owner, vault.id, content, deps);
    const next = (i: number) => ({ ...secret, name: `n${i}`, version: 2 });
    const version = (i: number): SecretVersion => ({
      secretId: secret.id,
      version: 2,
      name: `n${i}`,
      items: secret.items,
      sealed: secret.sealed,
      createdBy: owner.id,
      createdAt: secret.createdAt,
    });

    const outcomes = await Promise.all(
      Array.from({ length: 10 }, (_, i) => deps.vaults.writeVersion(next(i), version(i), 1)),
    );

    expect(outcomes.filter((o) => o === 'applied')).toHaveLength(1);
    expect((await deps.vaults.getSecret(secret.id))?.version).toBe(2);
  });

  it('keeps the last manager, whichever of two concurrent demotions commits', async () => {
    const { deps } = setup();
    const workspace = unique('ws');
    const a = await member(workspace);
    const b = await member(workspace);
    const vault = await createVault(a, { name: 'V' }, deps);
    await putVaultMember(a, vault.id, b.id, 'manager', deps);

    const results = await Promise.allSettled([
      removeVaultMember(a, vault.id, b.id, deps),
      removeVaultMember(b, vault.id, a.id, deps),
    ]);
    const grants = await deps.vaults.vaultGrants(vault.id);

    expect(grants.filter((g) => g.role === 'manager')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    await expect(removeVaultMember(a, vault.id, a.id, deps)).rejects.toSatisfy(
      (e) => e instanceof LastManagerError || e instanceof NotFoundError,
    );
    expect((await deps.vaults.getVault(vault.id))?.managerCount).toBe(1);
  });

  it('refuses a guest as a manager but accepts them as a viewer', async () => {
    const { deps } = setup();
    const workspace = unique('ws');
    const owner = await member(workspace);
    const guest = await member(workspace, 'guest');
    const vault = await createVault(owner, { name: 'V' }, deps);

    await expect(putVaultMember(owner, vault.id, guest.id, 'manager', deps)).rejects.toBeInstanceOf(
      VaultRoleNotAllowedError,
    );
    expect((await putVaultMember(owner, vault.id, guest.id, 'viewer', deps)).role).toBe('viewer');
  });

  it('counts live secrets so an occupied vault is never deleted, and purges trash after 30 days', async () => {
    const { deps, clock } = setup();
    const owner = await member(unique('ws'));
    const vault = await createVault(owner, { name: 'V' }, deps);
    const { secret } = await createSecret(owner, vault.id, content, deps);

    await expect(deleteVault(owner, vault.id, deps)).rejects.toBeInstanceOf(VaultNotEmptyError);
    await deleteSecret(owner, secret.id, deps);
    expect((await deps.vaults.getVault(vault.id))?.liveSecretCount).toBe(0);
    await restoreSecret(owner, secret.id, deps);
    expect((await deps.vaults.getVault(vault.id))?.liveSecretCount).toBe(1);
    await deleteSecret(owner, secret.id, deps);
    clock.set('2026-12-23T12:00:00.001Z');

    // Past the purge date the secret is gone, whether or not TTL has removed the item yet.
    await expect(restoreSecret(owner, secret.id, deps)).rejects.toBeInstanceOf(NotFoundError);
    expect(await deps.vaults.restoreSecret(secret, clock.now())).toBe('conflict');
  });

  it('lets a team granted on a vault view its secrets, until the member leaves the team', async () => {
    const workspace = unique('ws');
    const owner = await member(workspace);
    const teammate = await member(workspace);
    const team = await teamOf(owner.workspaceId, [teammate.id]);
    const { deps } = setup();
    const vault = await createVault(owner, { name: 'V' }, deps);
    const { secret } = await createSecret(owner, vault.id, content, deps);
    await expect(viewSecret(teammate, secret.id, deps)).rejects.toBeInstanceOf(NotFoundError);

    await putVaultMember(owner, vault.id, team.id, 'viewer', deps);

    expect((await viewSecret(teammate, secret.id, deps)).items).toEqual(content.items);
    await directory.updateTeam(
      team,
      { displayName: team.displayName, add: [], remove: [teammate.id] },
      new Date(),
      event,
    );
    await expect(viewSecret(teammate, secret.id, deps)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('never makes a guest a manager through a manager team', async () => {
    const workspace = unique('ws');
    const owner = await member(workspace);
    const guest = await member(workspace, 'guest');
    const colleague = await member(workspace);
    const team = await teamOf(owner.workspaceId, [guest.id, colleague.id]);
    const { deps } = setup();
    const vault = await createVault(owner, { name: 'V' }, deps);
    const { secret } = await createSecret(owner, vault.id, content, deps);

    await putVaultMember(owner, vault.id, team.id, 'manager', deps);

    expect((await viewSecret(colleague, secret.id, deps)).role).toBe('manager');
    expect((await viewSecret(guest, secret.id, deps)).role).toBe('editor');
    await expect(putVaultMember(guest, vault.id, guest.id, 'viewer', deps)).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    expect((await listVaults(guest, { limit: 10 }, deps)).items).toMatchObject([
      { vault: { id: vault.id }, role: 'editor' },
    ]);
  });

  it("refuses another workspace's team as a grantee", async () => {
    const workspace = unique('ws');
    const owner = await member(workspace);
    const foreign = await teamOf((await member(unique('ws'))).workspaceId, []);
    const { deps } = setup();
    const vault = await createVault(owner, { name: 'V' }, deps);

    await expect(putVaultMember(owner, vault.id, foreign.id, 'viewer', deps)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    expect(await deps.vaults.vaultGrantsOf(vault.id, [foreign.id])).toEqual([]);
  });

  it('lists every vault reached through teams, across pages, merged with the own grants', async () => {
    const workspace = unique('ws');
    const owner = await member(workspace);
    const reader = await member(workspace);
    const big = await teamOf(owner.workspaceId, [reader.id]);
    const small = await teamOf(owner.workspaceId, [reader.id]);
    const { deps } = setup();
    const expected = new Map<string, string>();
    for (let i = 0; i < 5; i++) {
      const vault = await createVault(owner, { name: `team-${i}` }, deps);
      await putVaultMember(owner, vault.id, big.id, 'viewer', deps);
      expected.set(vault.id, 'viewer');
    }
    const both = await createVault(owner, { name: 'both' }, deps);
    await putVaultMember(owner, both.id, small.id, 'viewer', deps);
    await putVaultMember(owner, both.id, reader.id, 'editor', deps);
    expected.set(both.id, 'editor');
    const own = await createVault(reader, { name: 'own' }, deps);
    expected.set(own.id, 'manager');

    const seen: { id: string; role: string }[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const page = await listVaults(reader, { limit: 2, cursor }, deps);
      seen.push(...page.items.map((i) => ({ id: i.vault.id, role: i.role })));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }

    expect(seen.map((v) => v.id)).toEqual([...expected.keys()].sort());
    expect(Object.fromEntries(seen.map((v) => [v.id, v.role]))).toEqual(Object.fromEntries(expected));
  });

  it('resolves access once per request when the confirmation check and the use case share a memo', async () => {
    const { deps } = setup();
    const owner = await member(unique('ws'));
    const vault = await createVault(owner, { name: 'V' }, deps);
    const { secret } = await createSecret(owner, vault.id, content, deps);
    let reads = 0;
    const counted: SecretDeps = {
      ...deps,
      vaults: {
        ...deps.vaults,
        accessGrants: (...args) => {
          reads++;
          return deps.vaults.accessGrants(...args);
        },
      },
      access: new Map(),
    };

    await requireSecretRole(owner, secret.id, 'viewer', counted);
    await viewSecret(owner, secret.id, counted);

    expect(reads).toBe(1);
  });
});
