import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { makeAccountRepository } from '../../shared/adapters/dynamodb/account-repository';
import { makeDeviceRepository } from '../../shared/adapters/dynamodb/device-repository';
import { makeDirectoryRepository } from '../../shared/adapters/dynamodb/directory-repository';
import { makeUserRepository } from '../../shared/adapters/dynamodb/user-repository';
import { makeVaultRepository } from '../../shared/adapters/dynamodb/vault-repository';
import { newId } from '../../shared/adapters/ids';
import { scimProtocol } from '../../shared/adapters/scim/protocol';
import { ScimError } from '../../shared/domain/directory/scim-model';
import {
  createGroup,
  createUser,
  deleteGroup,
  deleteUser,
  getUser,
  listUsers,
  patchUser,
  type ScimContext,
  type ScimDeps,
} from '../../shared/domain/directory/scim-use-cases';
import { teamMembership } from '../../shared/domain/directory/teams';
import type { DomainEvent } from '../../shared/domain/events';
import { commandsOf, localTable, unique } from './dynamo';

const { doc, tableName } = localTable();
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const users = makeUserRepository(doc, tableName);
const directory = makeDirectoryRepository(doc, tableName);
const now = new Date('2026-11-29T10:00:00.000Z');

function deps(): ScimDeps {
  return {
    directory,
    protocol: scimProtocol,
    clock: { now: () => now },
    newId,
    deprovision: {
      users,
      devices: makeDeviceRepository(doc, tableName),
      clock: { now: () => now },
      security: { record: () => undefined },
      queue: { enqueue: async () => undefined },
      newId,
      accounts: makeAccountRepository(doc, tableName),
      teamsOf: directory.teamsOfUser,
    },
  };
}

async function workspace(): Promise<ScimContext> {
  const { user } = await users.provision({
    identity: {
      issuer: 'https://idp.test',
      subject: unique('sub'),
      email: `${unique('o')}@x.example`,
      name: 'Owner',
      workspaceName: unique('ws'),
    },
    userId: newId('usr'),
    newWorkspaceId: newId('ws'),
    role: 'user',
    now,
  });
  return { workspaceId: user.workspaceId, baseUrl: 'https://api.test/scim/v2' };
}

async function outboxItem(eventId: string) {
  const { Item } = await doc.send(
    new GetCommand({
      TableName: tableName,
      Key: { pk: `OUTBOX#${eventId}`, sk: 'OUTBOX' },
      ConsistentRead: true,
    }),
  );
  return Item;
}

describe('SCIM directory on DynamoDB Local', () => {
  it('answers eq on userName (any case) and externalId with claim reads, displayName with one query, never the workspace partition', async () => {
    const context = await workspace();
    for (let i = 0; i < 8; i++) {
      await createUser(
        context,
        { userName: `user${i}@x.example`, externalId: `ext-${i}`, displayName: `Person ${i}` },
        deps(),
      );
    }
    let byUserName: Awaited<ReturnType<typeof listUsers>> | undefined;
    let byName: Awaited<ReturnType<typeof listUsers>> | undefined;
    let other: Awaited<ReturnType<typeof listUsers>> | undefined;
    const userNameCalls = await commandsOf(doc, async () => {
      byUserName = await listUsers(
        context,
        { filter: 'USERNAME eq "USER3@X.example" and externalId eq "ext-3"', startIndex: 1, count: 10 },
        deps(),
      );
    });
    const nameCalls = await commandsOf(doc, async () => {
      byName = await listUsers(
        context,
        { filter: 'displayName eq "person 5"', startIndex: 1, count: 10 },
        deps(),
      );
    });
    const otherCalls = await commandsOf(doc, async () => {
      other = await listUsers(
        context,
        { filter: 'displayName sw "Person" and not (userName ew "0@x.example")', startIndex: 2, count: 3 },
        deps(),
      );
    });

    expect(byUserName?.Resources.map((u) => u.userName)).toEqual(['user3@x.example']);
    expect(userNameCalls).toEqual(['GetItemCommand', 'GetItemCommand']);
    expect(byName?.Resources.map((u) => u.displayName)).toEqual(['Person 5']);
    expect(nameCalls).toEqual(['QueryCommand', 'GetItemCommand']);
    // Not indexable: the workspace's own partition, paged by startIndex/count after filtering.
    expect(other).toMatchObject({ totalResults: 7, startIndex: 2, itemsPerPage: 3 });
    expect(otherCalls).toEqual(['QueryCommand']);
  });

  it('refuses to read a workspace partition past the cap', async () => {
    const context = await workspace();
    for (let i = 0; i < 3; i++) await createUser(context, { userName: `cap${i}@x.example` }, deps());

    // The owner plus three users: four items, over a cap of three.
    expect(await directory.scanUsers(context.workspaceId, 3)).toBe('tooMany');
    expect(await directory.scanUsers(context.workspaceId, 4)).toHaveLength(4);
  });

  it('pages the workspace with startIndex and count, and counts every user', async () => {
    const context = await workspace();
    for (let i = 0; i < 5; i++) await createUser(context, { userName: `page${i}@x.example` }, deps());

    const first = await listUsers(context, { startIndex: 1, count: 4 }, deps());
    const second = await listUsers(context, { startIndex: 5, count: 4 }, deps());

    expect(first).toMatchObject({ totalResults: 6, itemsPerPage: 4 });
    expect(second).toMatchObject({ totalResults: 6, itemsPerPage: 2 });
    const ids = [...first.Resources, ...second.Resources].map((u) => u.id);
    expect(new Set(ids).size).toBe(6);
  });

  it('moves the userName and externalId claims with a PATCH, in the same transaction', async () => {
    const context = await workspace();
    const alice = await createUser(context, { userName: 'alice@x.example', externalId: 'a-1' }, deps());
    const bob = await createUser(context, { userName: 'bob@x.example' }, deps());

    await patchUser(
      context,
      String(alice.id),
      {
        schemas: [PATCH_OP],
        Operations: [
          { op: 'Replace', path: 'userName', value: 'alice.new@x.example' },
          { op: 'replace', path: 'externalId', value: 'a-2' },
        ],
      },
      deps(),
    );
    const takeNew = await patchUser(
      context,
      String(bob.id),
      {
        schemas: [PATCH_OP],
        Operations: [{ op: 'replace', path: 'userName', value: 'ALICE.NEW@x.example' }],
      },
      deps(),
    ).catch((error: unknown) => error);
    const oldFree = await createUser(context, { userName: 'alice@x.example', externalId: 'a-1' }, deps());

    expect(takeNew).toMatchObject({ status: 409, scimType: 'uniqueness' });
    expect(oldFree.id).not.toBe(alice.id);
    expect(await getUser(context, String(alice.id), deps())).toMatchObject({
      userName: 'alice.new@x.example',
      externalId: 'a-2',
    });
    expect(await getUser(context, String(bob.id), deps())).toMatchObject({ userName: 'bob@x.example' });
  });

  it('writes nothing, not even the event, when a claim is taken', async () => {
    const context = await workspace();
    await createUser(context, { userName: 'taken@x.example' }, deps());
    const event: DomainEvent = {
      id: newId('evt'),
      type: 'user.provisioned',
      occurredAt: now.toISOString(),
      workspaceId: context.workspaceId,
      detail: {},
    };
    const user = {
      id: newId('usr'),
      workspaceId: context.workspaceId,
      email: 'taken@x.example',
      name: 'T',
      workspaceRole: 'user' as const,
      status: 'active' as const,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    };

    await expect(directory.createUser(user, { userName: 'TAKEN@x.example' }, event)).rejects.toBeInstanceOf(
      ScimError,
    );

    expect(await outboxItem(event.id)).toBeUndefined();
    expect(await users.getUser(user.id)).toBeUndefined();
  });

  it('writes the user.deprovisioned event with the change, and not at all when the change is refused', async () => {
    const context = await workspace();
    const created = await createUser(context, { userName: 'leaver@x.example' }, deps());
    const user = await users.getUser(String(created.id));
    const devices = makeDeviceRepository(doc, tableName);
    const event = (id: string): DomainEvent => ({
      id,
      type: 'user.deprovisioned',
      occurredAt: now.toISOString(),
      workspaceId: context.workspaceId,
      detail: {},
    });
    const applied = newId('evt');
    const refused = newId('evt');

    const first = await devices.deprovisionUser(user as never, [], now, [event(applied)]);
    const second = await devices.deprovisionUser(user as never, [], now, [event(refused)]);

    expect(first).toBe('applied');
    expect(await outboxItem(applied)).toMatchObject({
      entity: 'outbox_event',
      event: { type: 'user.deprovisioned' },
    });
    expect(second).toBe('conflict');
    expect(await outboxItem(refused)).toBeUndefined();
  });

  it('deletes a user from SCIM after deprovisioning it, releasing its claims', async () => {
    const context = await workspace();
    const created = await createUser(context, { userName: 'gone@x.example' }, deps());

    await deleteUser(context, String(created.id), deps());

    await expect(getUser(context, String(created.id), deps())).rejects.toMatchObject({ status: 404 });
    expect(await users.getUser(String(created.id))).toMatchObject({ status: 'deprovisioned' });
    expect(await createUser(context, { userName: 'gone@x.example' }, deps())).toMatchObject({
      userName: 'gone@x.example',
    });
  });

  it('splits a large membership change into transactions that each carry their event', async () => {
    const context = await workspace();
    const team = await directory.createTeam({
      id: newId('team'),
      workspaceId: context.workspaceId,
      displayName: 'Big',
      memberCount: 0,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      version: 1,
    });
    const members = Array.from({ length: 95 }, (_, i) => `usr_member${i}`);
    const events: DomainEvent[] = [];

    const written = await directory.updateTeam(
      team,
      { displayName: 'Bigger', add: members, remove: [] },
      now,
      (added, removed) => {
        const event = {
          id: newId('evt'),
          type: 'team.membership_changed',
          occurredAt: now.toISOString(),
          workspaceId: context.workspaceId,
          detail: { added, removed },
        };
        events.push(event);
        return event;
      },
    );

    expect(written).toMatchObject({ displayName: 'Bigger', memberCount: 95 });
    expect(events.map((e) => (e.detail.added as string[]).length)).toEqual([90, 5]);
    for (const event of events) expect(await outboxItem(event.id)).toBeDefined();
    expect(await directory.listTeamMembers(team.id)).toHaveLength(95);
    expect(await directory.teamsOfUser('usr_member94')).toEqual([team.id]);
  });

  it('deletes a group with the account and vault grants its team held, keeping a vault it alone managed', async () => {
    const context = await workspace();
    const vaults = makeVaultRepository(doc, tableName);
    const scim = { ...deps(), vaultGrants: vaults };
    const group = (await createGroup(
      context,
      { schemas: [GROUP_SCHEMA], displayName: unique('g') },
      scim,
    )) as {
      id: string;
    };
    const at = now.toISOString();
    const vault = (id: string) => ({
      id,
      workspaceId: context.workspaceId,
      name: id,
      managerCount: 0,
      liveSecretCount: 0,
      createdBy: 'usr_x',
      createdAt: at,
      updatedAt: at,
    });
    const grant = (principalId: string, role: 'manager' | 'viewer') => ({
      principalId,
      role,
      addedAt: at,
      addedBy: 'usr_x',
    });
    const shared = newId('vlt');
    const onlyTeam = newId('vlt');
    await vaults.createVault(vault(shared), grant('usr_x', 'manager'));
    await vaults.putVaultGrant(shared, grant(group.id, 'viewer'), undefined);
    await vaults.createVault(vault(onlyTeam), grant(group.id, 'manager'));
    await directory.putTeamGrant({ accountId: 'acc_1', teamId: group.id, role: 'collaborator', addedAt: at });

    await deleteGroup(context, group.id, scim);

    expect(await vaults.vaultGrantsOf(shared, [group.id])).toEqual([]);
    expect((await vaults.vaultGrantsOf(onlyTeam, [group.id])).map((g) => g.role)).toEqual(['manager']);
    expect(await directory.teamGrants('acc_1')).toEqual([]);
    expect(await vaults.vaultGrantsOf(shared, ['usr_x'])).toHaveLength(1);
  });

  it('reads team access with one query and one batched read, whatever the number of teams, best role first', async () => {
    const context = await workspace();
    const at = now.toISOString();
    const user = { ...(await workspaceMemberOf(context.workspaceId)), workspaceRole: 'user' as const };
    const teams = [];
    for (const role of ['collaborator', 'owner', 'collaborator', 'owner'] as const) {
      const team = await directory.createTeam({
        id: newId('team'),
        workspaceId: context.workspaceId,
        displayName: unique('t'),
        memberCount: 0,
        createdAt: at,
        updatedAt: at,
        version: 1,
      });
      teams.push(team);
      await directory.putTeamGrant({
        accountId: `acc_${context.workspaceId}`,
        teamId: team.id,
        role,
        addedAt: at,
      });
    }
    // A member of the first collaborator team and the second owner team only.
    for (const team of [teams[0], teams[3]]) {
      await directory.updateTeam(
        team as never,
        { displayName: (team as { displayName: string }).displayName, add: [user.id], remove: [] },
        now,
        () => ({
          id: newId('evt'),
          type: 'team.membership_changed',
          occurredAt: at,
          workspaceId: context.workspaceId,
          detail: {},
        }),
      );
    }

    let membership: Awaited<ReturnType<typeof teamMembership>>;
    const commands = await commandsOf(doc, async () => {
      membership = await teamMembership(`acc_${context.workspaceId}`, user, { directory });
    });
    const outsider = await teamMembership(
      `acc_${context.workspaceId}`,
      { ...user, id: 'usr_nobody' },
      { directory },
    );

    expect(commands).toEqual(['QueryCommand', 'BatchGetItemCommand']);
    // biome-ignore lint/style/noNonNullAssertion: assigned inside commandsOf
    expect(membership!).toMatchObject({ role: 'owner', userId: user.id });
    expect(outsider).toBeUndefined();
  });
});

async function workspaceMemberOf(workspaceId: string) {
  const { Item } = await doc
    .send(
      new (await import('@aws-sdk/lib-dynamodb')).QueryCommand({
        TableName: tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': `WORKSPACE#${workspaceId}#USERS` },
        Limit: 1,
      }),
    )
    .then((out) => ({ Item: out.Items?.[0] }));
  return {
    id: String(Item?.id),
    workspaceId,
    email: '',
    name: '',
    status: 'active' as const,
    createdAt: '',
    updatedAt: '',
  };
}
