import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { makeDeviceRepository } from '../../shared/adapters/dynamodb/device-repository';
import { makeDirectoryRepository } from '../../shared/adapters/dynamodb/directory-repository';
import { makeDirectorySettingsStore } from '../../shared/adapters/dynamodb/directory-settings';
import { makeUserRepository } from '../../shared/adapters/dynamodb/user-repository';
import { newId } from '../../shared/adapters/ids';
import { scimProtocol } from '../../shared/adapters/scim/protocol';
import { BootstrapOwnerDeprovisionedError } from '../../shared/domain/directory/bootstrap';
import { createUser, type ScimDeps } from '../../shared/domain/directory/scim-use-cases';
import { directorySettingsOf } from '../../shared/domain/directory/settings';
import { NotProvisionedError } from '../../shared/domain/errors';
import { resolveCaller } from '../../shared/domain/users/resolve-caller';
import { bootstrapOn } from '../../shared/runtime/bootstrap';
import { callerDeps, localTable, signedIn, unique } from './dynamo';

const { doc, tableName } = localTable();
const users = makeUserRepository(doc, tableName);
const directory = makeDirectoryRepository(doc, tableName);
const settings = makeDirectorySettingsStore(doc, tableName);
const bootstrap = bootstrapOn(doc, tableName);
const clock = { now: () => new Date() };

const identity = (workspaceName: string, email: string, extra: Record<string, unknown> = {}) => ({
  issuer: 'https://idp.test',
  subject: unique('sub'),
  email,
  name: 'Someone',
  workspaceName,
  emailVerified: true,
  ...extra,
});

function scimDeps(): ScimDeps {
  return {
    directory,
    protocol: scimProtocol,
    clock,
    newId,
    deprovision: {
      users,
      devices: makeDeviceRepository(doc, tableName),
      clock,
      security: { record: () => undefined },
      queue: { enqueue: async () => undefined },
      newId,
      teamsOf: directory.teamsOfUser,
    },
  };
}

describe('workspace bootstrap and who may join, on DynamoDB Local', () => {
  it('creates a closed workspace whose named owner becomes the owner on first verified sign-in', async () => {
    const name = unique('boot');
    const deps = callerDeps(doc, tableName, users);

    const created = await bootstrap({ workspaceName: name, ownerEmail: 'Boss@Boot.example' });
    const again = await bootstrap({ workspaceName: name, ownerEmail: 'boss@boot.example' });
    const unverified = resolveCaller(identity(name, 'boss@boot.example', { emailVerified: false }), deps);
    const stranger = resolveCaller(identity(name, 'other@boot.example'), deps);
    await expect(unverified).rejects.toBeInstanceOf(NotProvisionedError);
    await expect(stranger).rejects.toBeInstanceOf(NotProvisionedError);
    const owner = await resolveCaller(identity(name, 'boss@boot.example'), deps);
    const impostor = resolveCaller(identity(name, 'boss@boot.example'), deps);

    expect(created.outcome).toBe('workspace_created');
    expect(again.outcome).toBe('unchanged');
    expect(owner).toMatchObject({ id: created.owner.id, workspaceRole: 'owner', email: 'boss@boot.example' });
    // Linked once: a second identity with the same email is not the owner (and JIT is closed).
    await expect(impostor).rejects.toBeInstanceOf(NotProvisionedError);
    expect(await settings.get(created.workspace.id)).toMatchObject({
      jitProvisioning: false,
      allowedEmailDomains: [],
      source: 'bootstrap',
    });
  });

  it('opens a new workspace to just-in-time users of the given domains only', async () => {
    const name = unique('open');
    const deps = callerDeps(doc, tableName, users);
    await bootstrap({ workspaceName: name, ownerEmail: 'o@open.example', jitEmailDomains: ['Open.Example'] });

    const member = await resolveCaller(identity(name, 'Ann@OPEN.example'), deps);
    const subdomain = resolveCaller(identity(name, 'x@sub.open.example'), deps);

    expect(member.workspaceRole).toBe('user');
    await expect(subdomain).rejects.toBeInstanceOf(NotProvisionedError);
  });

  it('names a new owner of an existing workspace: promotes an active user, refuses a deprovisioned one', async () => {
    const name = unique('own');
    await bootstrap({
      workspaceName: name,
      ownerEmail: 'first@own.example',
      jitEmailDomains: ['own.example'],
    });
    const member = await resolveCaller(
      identity(name, 'member@own.example'),
      callerDeps(doc, tableName, users),
    );

    const promoted = await bootstrap({ workspaceName: name, ownerEmail: 'MEMBER@own.example' });
    const invited = await bootstrap({ workspaceName: name, ownerEmail: 'later@own.example' });

    expect(promoted).toMatchObject({
      outcome: 'owner_promoted',
      owner: { id: member.id, workspaceRole: 'owner' },
    });
    expect((await users.getUser(member.id))?.workspaceRole).toBe('owner');
    expect(invited.outcome).toBe('owner_invited');
    await doc.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { pk: `USER#${member.id}`, sk: 'PROFILE' },
        UpdateExpression: 'SET #s = :d',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':d': 'deprovisioned' },
      }),
    );
    await expect(bootstrap({ workspaceName: name, ownerEmail: 'member@own.example' })).rejects.toBeInstanceOf(
      BootstrapOwnerDeprovisionedError,
    );
  });

  it('keeps a workspace from before bootstrap open to its users’ domains (not its guests’), derived once', async () => {
    const name = unique('legacy');
    const first = await signedIn(users, identity(name, 'a@legacy.example'));
    await users.provision({
      identity: identity(name, 'g@partner.example'),
      userId: newId('usr'),
      role: 'guest',
      now: new Date(),
    });
    const deps = callerDeps(doc, tableName, users);

    const joined = await resolveCaller(identity(name, 'b@legacy.example'), deps);
    const partner = resolveCaller(identity(name, 'h@partner.example'), deps);

    expect(joined.workspaceId).toBe(first.workspaceId);
    await expect(partner).rejects.toBeInstanceOf(NotProvisionedError);
    expect(await directorySettingsOf(first.workspaceId, { settings, clock })).toMatchObject({
      jitProvisioning: true,
      allowedEmailDomains: ['legacy.example'],
      source: 'legacy',
    });
  });

  it('links by the token’s oid to the SCIM externalId where the workspace says so, never by email then', async () => {
    const name = unique('ext');
    const { workspace } = await bootstrap({ workspaceName: name, ownerEmail: 'o@ext.example' });
    await settings.put(workspace.id, {
      jitProvisioning: false,
      allowedEmailDomains: [],
      linkBy: 'external_id',
      source: 'admin',
      updatedAt: new Date().toISOString(),
    });
    const context = { workspaceId: workspace.id, baseUrl: 'https://api.test/scim/v2' };
    const byOid = await createUser(
      context,
      {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: 'k@ext.example',
        externalId: 'oid-123',
      },
      scimDeps(),
    );
    await createUser(
      context,
      {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: 'm@ext.example',
        externalId: 'oid-456',
      },
      scimDeps(),
    );
    const deps = callerDeps(doc, tableName, users);

    // Entra sends no email_verified: the oid is what links.
    const linked = await resolveCaller(
      identity(name, 'K@ext.example', { emailVerified: false, objectId: 'oid-123' }),
      deps,
    );
    const byEmailOnly = resolveCaller(identity(name, 'm@ext.example', { objectId: 'oid-other' }), deps);

    expect(linked.id).toBe((byOid as { id: string }).id);
    await expect(byEmailOnly).rejects.toBeInstanceOf(NotProvisionedError);
  });
});
