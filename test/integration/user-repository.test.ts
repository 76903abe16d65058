import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { makeUserRepository, userKeys } from '../../shared/adapters/dynamodb/user-repository';
import { newId } from '../../shared/adapters/ids';
import { UserDeprovisionedError } from '../../shared/domain/errors';
import type { CallerIdentity } from '../../shared/domain/users/model';
import { localTable, unique } from './dynamo';

const { doc, tableName } = localTable();
const users = makeUserRepository(doc, tableName);
const now = new Date('2026-11-23T10:00:00.000Z');

function identity(workspaceName: string, email = `${unique('u')}@acme.example`): CallerIdentity {
  return { issuer: 'https://idp.test', subject: unique('sub'), email, name: 'Someone', workspaceName };
}

function provision(who: CallerIdentity, role: 'user' | 'admin' = 'user') {
  return users.provision({ identity: who, userId: newId('usr'), newWorkspaceId: newId('ws'), role, now });
}

describe('user repository on DynamoDB Local', () => {
  it('makes the first user of a new workspace its owner and later users members with their role', async () => {
    const workspace = unique('ws');

    const first = await provision(identity(workspace));
    const second = await provision(identity(workspace), 'admin');

    expect(first).toMatchObject({ created: true, user: { workspaceRole: 'owner' } });
    expect(second).toMatchObject({ created: true, user: { workspaceRole: 'admin' } });
    expect(second.user.workspaceId).toBe(first.user.workspaceId);
    expect(first.workspace.name).toBe(workspace);
  });

  it('finds the user by identity and reads it back, with an entity tag on the item', async () => {
    const who = identity(unique('ws'));
    const { user } = await provision(who);

    expect(await users.findUserIdByIdentity(who.issuer, who.subject)).toBe(user.id);
    expect(await users.getUser(user.id)).toEqual(user);
    const { Item } = await doc.send(new GetCommand({ TableName: tableName, Key: userKeys.user(user.id) }));
    expect(Item).toMatchObject({ entity: 'User', gsi1pk: `WORKSPACE#${user.workspaceId}#USERS` });
  });

  it('provisions one user when the same identity calls ten times at once', async () => {
    const who = identity(unique('ws'));

    const results = await Promise.all(Array.from({ length: 10 }, () => provision(who)));

    const ids = new Set(results.map((result) => result.user.id));
    expect(ids.size).toBe(1);
    expect(results.filter((result) => result.created)).toHaveLength(1);
  });

  it('gives a brand-new workspace exactly one owner when its first users arrive together', async () => {
    const workspace = unique('ws');

    const results = await Promise.all(Array.from({ length: 8 }, () => provision(identity(workspace))));

    expect(results.filter((result) => result.user.workspaceRole === 'owner')).toHaveLength(1);
    expect(new Set(results.map((result) => result.user.workspaceId)).size).toBe(1);
  });

  it('treats workspace names case-insensitively', async () => {
    const workspace = unique('Acme');

    const first = await provision(identity(workspace.toUpperCase()));
    const second = await provision(identity(workspace.toLowerCase()));

    expect(second.user.workspaceId).toBe(first.user.workspaceId);
  });

  it('renames an active user and refuses a deprovisioned one', async () => {
    const { user } = await provision(identity(unique('ws')));

    const renamed = await users.updateName(user.id, 'New Name', new Date('2026-11-23T11:00:00.000Z'));
    expect(renamed).toMatchObject({ name: 'New Name', updatedAt: '2026-11-23T11:00:00.000Z' });

    await expect(users.updateName('usr_missing', 'x', now)).rejects.toBeInstanceOf(UserDeprovisionedError);
  });

  it('answers undefined for an unknown identity or user', async () => {
    expect(await users.findUserIdByIdentity('https://idp.test', unique('nobody'))).toBeUndefined();
    expect(await users.getUser(unique('usr'))).toBeUndefined();
  });
});
