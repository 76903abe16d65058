import { describe, expect, it } from 'vitest';
import { makeDeviceRepository } from '../../shared/adapters/dynamodb/device-repository';
import { makeDirectoryRepository } from '../../shared/adapters/dynamodb/directory-repository';
import { makeUserRepository } from '../../shared/adapters/dynamodb/user-repository';
import { newId } from '../../shared/adapters/ids';
import {
  LastWorkspaceOwnerError,
  RoleChangeConflictError,
  setWorkspaceRole,
} from '../../shared/domain/directory/roles';
import { type DeprovisionDeps, deprovisionUser } from '../../shared/domain/users/deprovision-user';
import type { User } from '../../shared/domain/users/model';
import { localTable, unique, workspaceMember } from './dynamo';

const { doc, tableName } = localTable();
const users = makeUserRepository(doc, tableName);
const directory = makeDirectoryRepository(doc, tableName);
const devices = makeDeviceRepository(doc, tableName);
const clock = { now: () => new Date() };
const security = { record: () => undefined };

const roleDeps = { directory, users, clock, security };
const deprovisionDeps: DeprovisionDeps = {
  users,
  devices,
  clock,
  security,
  queue: { enqueue: async () => undefined },
  newId,
  owners: directory.owners,
};

/** A workspace with exactly two active owners. */
async function twoOwners(): Promise<[User, User]> {
  const workspace = unique('race');
  const first = await workspaceMember(users, workspace, 'owner');
  const second = await workspaceMember(users, workspace, 'owner');
  return [first, second];
}

const settled = async (work: Promise<unknown>[]) => {
  const outcomes = await Promise.allSettled(work);
  return {
    won: outcomes.filter((o) => o.status === 'fulfilled').length,
    refused: outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason] : [])),
  };
};

const refusal = (error: unknown) =>
  error instanceof LastWorkspaceOwnerError || error instanceof RoleChangeConflictError;

/** The race is run several times: one lucky interleaving proves little. */
const ROUNDS = 6;

describe('the last workspace owner, under concurrent changes, on DynamoDB Local', () => {
  it('lets exactly one of two concurrent demotions of the two last owners win', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const [a, b] = await twoOwners();

      const { won, refused } = await settled([
        setWorkspaceRole(a, b.id, 'admin', roleDeps),
        setWorkspaceRole(b, a.id, 'admin', roleDeps),
      ]);

      expect(won).toBe(1);
      expect(refused.every(refusal)).toBe(true);
      expect(await directory.owners(a.workspaceId, 5)).toHaveLength(1);
    }
  });

  it('lets exactly one of two owners deprovisioning each other through the API win', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const [a, b] = await twoOwners();

      const { won, refused } = await settled([
        deprovisionUser(a, b.id, deprovisionDeps),
        deprovisionUser(b, a.id, deprovisionDeps),
      ]);

      expect(won).toBe(1);
      expect(refused.every(refusal)).toBe(true);
      expect(await directory.owners(a.workspaceId, 5)).toHaveLength(1);
    }
  });

  it('keeps an owner when one owner is demoted while the other is deprovisioned', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const [a, b] = await twoOwners();

      const { won, refused } = await settled([
        setWorkspaceRole(a, b.id, 'admin', roleDeps),
        deprovisionUser(b, a.id, deprovisionDeps),
      ]);

      expect(won).toBe(1);
      expect(refused.every(refusal)).toBe(true);
      expect(await directory.owners(a.workspaceId, 5)).toHaveLength(1);
    }
  });
});
