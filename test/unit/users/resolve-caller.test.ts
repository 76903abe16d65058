import { describe, expect, it } from 'vitest';
import { UserDeprovisionedError } from '../../../shared/domain/errors';
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

describe('resolveCaller', () => {
  it('provisions a first-time caller just in time with role user and the clock time', async () => {
    const fake = fakeUserRepository();
    const deps = {
      users: fake.repository,
      clock: fixedClock('2026-11-23T08:00:00.000Z'),
      newId: sequentialIds(),
    };

    const user = await resolveCaller(identity, deps);

    expect(user).toMatchObject({
      email: 'bob@acme.example',
      status: 'active',
      createdAt: '2026-11-23T08:00:00.000Z',
    });
    expect(fake.provisionCalls).toHaveLength(1);
    expect(fake.provisionCalls[0]).toMatchObject({ role: 'user', userId: 'usr_1', newWorkspaceId: 'ws_2' });
  });

  it('returns the existing user on later calls without provisioning again', async () => {
    const fake = fakeUserRepository([aUser({ id: 'usr_existing' })]);
    fake.link(identity, 'usr_existing');
    const deps = { users: fake.repository, clock: fixedClock(), newId: sequentialIds() };

    const user = await resolveCaller(identity, deps);

    expect(user.id).toBe('usr_existing');
    expect(fake.provisionCalls).toHaveLength(0);
  });

  it('refuses a deprovisioned user', async () => {
    const fake = fakeUserRepository([aUser({ id: 'usr_gone', status: 'deprovisioned' })]);
    fake.link(identity, 'usr_gone');
    const deps = { users: fake.repository, clock: fixedClock(), newId: sequentialIds() };

    await expect(resolveCaller(identity, deps)).rejects.toBeInstanceOf(UserDeprovisionedError);
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
