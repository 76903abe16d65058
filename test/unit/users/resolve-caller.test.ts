import { describe, expect, it } from 'vitest';
import type { DirectorySettings } from '../../../shared/domain/directory/settings';
import { NotProvisionedError, UserDeprovisionedError } from '../../../shared/domain/errors';
import { resolveCaller } from '../../../shared/domain/users/resolve-caller';
import { updateProfile } from '../../../shared/domain/users/update-profile';
import { aUser, fakeUserRepository, fixedClock, sequentialIds } from '../../support/fakes';

const identity = {
  issuer: 'https://idp.test',
  subject: 'sub-1',
  email: 'bob@acme.example',
  name: 'Bob',
  workspaceName: 'acme',
};

const open = {
  jitProvisioning: true,
  allowedEmailDomains: ['acme.example'],
  linkBy: 'verified_email' as const,
  source: 'admin' as const,
  updatedAt: '2026-11-01T00:00:00.000Z',
};

/** A fake directory whose workspace `acme` exists (ws_acme) with the given settings. */
function depsWith(fake: ReturnType<typeof fakeUserRepository>, settings: DirectorySettings = open) {
  fake.workspaces.set('acme', 'ws_acme');
  return {
    users: fake.repository,
    clock: fixedClock('2026-11-23T08:00:00.000Z'),
    newId: sequentialIds(),
    directorySettings: async () => settings,
  };
}

describe('resolveCaller', () => {
  it('lets a first-time caller join just in time, with role user, when the domain is allowed', async () => {
    const fake = fakeUserRepository();

    const user = await resolveCaller({ ...identity, emailVerified: true }, depsWith(fake));

    expect(user).toMatchObject({
      email: 'bob@acme.example',
      workspaceId: 'ws_acme',
      workspaceRole: 'user',
      status: 'active',
      createdAt: '2026-11-23T08:00:00.000Z',
    });
    expect(fake.provisionCalls).toHaveLength(1);
    expect(fake.provisionCalls[0]).toMatchObject({ role: 'user', userId: 'usr_1' });
    expect(fake.provisionCalls[0]?.newWorkspaceId).toBeUndefined();
  });

  it.each([
    [
      'the workspace was never bootstrapped',
      { ...identity, workspaceName: 'nowhere', emailVerified: true },
      open,
    ],
    ['just-in-time users are off', { ...identity, emailVerified: true }, { ...open, jitProvisioning: false }],
    ['the domain is not allowed', { ...identity, email: 'eve@evil.example', emailVerified: true }, open],
    ['the email is not verified', identity, open],
  ])('refuses 403 not_provisioned, creating nothing, when %s', async (_case, who, settings) => {
    const fake = fakeUserRepository();

    await expect(resolveCaller(who, depsWith(fake, settings))).rejects.toBeInstanceOf(NotProvisionedError);
    expect(fake.users.size).toBe(0);
    expect(fake.workspaces.size).toBe(1);
  });

  it('links a first sign-in to the user provisioned for it before considering just in time', async () => {
    const fake = fakeUserRepository();
    const provisioned = aUser({ id: 'usr_scim', workspaceId: 'ws_acme' });
    const seen: unknown[] = [];
    const deps = {
      ...depsWith(fake, { ...open, jitProvisioning: false }),
      link: async (...args: unknown[]) => {
        seen.push(args[1]);
        return provisioned;
      },
    };

    const user = await resolveCaller(identity, deps);

    expect(user.id).toBe('usr_scim');
    expect(seen).toEqual([{ ...open, jitProvisioning: false }]);
    expect(fake.provisionCalls).toHaveLength(0);
  });

  it('returns the existing user on later calls without provisioning again', async () => {
    const fake = fakeUserRepository([aUser({ id: 'usr_existing' })]);
    fake.link(identity, 'usr_existing');

    const user = await resolveCaller(identity, depsWith(fake, { ...open, jitProvisioning: false }));

    expect(user.id).toBe('usr_existing');
    expect(fake.provisionCalls).toHaveLength(0);
  });

  it('refuses a deprovisioned user', async () => {
    const fake = fakeUserRepository([aUser({ id: 'usr_gone', status: 'deprovisioned' })]);
    fake.link(identity, 'usr_gone');

    await expect(resolveCaller(identity, depsWith(fake))).rejects.toBeInstanceOf(UserDeprovisionedError);
  });
});

describe('updateProfile', () => {
  it('renames the caller with the clock time', async () => {
    const fake = fakeUserRepository([aUser({ id: 'usr_1', name: 'Alice' })]);
    const deps = { users: fake.repository, clock: fixedClock('2026-11-23T09:00:00.000Z') };

    const user = await updateProfile(aUser({ id: 'usr_1', name: 'Alice' }), { name: 'Alicia' }, deps);

    expect(user).toMatchObject({ name: 'Alicia', updatedAt: '2026-11-23T09:00:00.000Z' });
  });

  it('writes nothing when the name does not change', async () => {
    const fake = fakeUserRepository([aUser({ id: 'usr_1', name: 'Alice', updatedAt: 'then' })]);
    const deps = { users: fake.repository, clock: fixedClock() };

    await updateProfile(aUser({ id: 'usr_1', name: 'Alice' }), { name: 'Alice' }, deps);

    expect(fake.users.get('usr_1')?.updatedAt).toBe('then');
  });
});
