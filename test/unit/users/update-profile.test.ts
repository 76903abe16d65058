import { describe, expect, it } from 'vitest';
import { updateProfile } from '../../../shared/domain/users/update-profile';
import { aUser, fakeUserRepository, fixedClock } from '../../support/fakes';

describe('updateProfile', () => {
  it('stores a display name without control or bidi characters', async () => {
    const alice = aUser();
    const { repository, users } = fakeUserRepository([alice]);

    const renamed = await updateProfile(
      alice,
      { name: 'Alice \u202Enimda\u202C\u0007' },
      { users: repository, clock: fixedClock() },
    );

    expect(renamed.name).toBe('Alice nimda');
    expect(users.get(alice.id)?.name).toBe('Alice nimda');
  });
});
