import { describe, expect, it } from 'vitest';
import { LastWorkspaceOwnerError } from '../../../shared/domain/directory/roles';
import { cancelPendingChallenges } from '../../../shared/domain/identity/cancel-pending';
import type { Challenge } from '../../../shared/domain/identity/model';
import { type DeprovisionDeps, deprovisionUser } from '../../../shared/domain/users/deprovision-user';
import { aUser, fakeUserRepository, fixedClock, sequentialIds } from '../../support/fakes';

const challenge = (id: string, status: Challenge['status'], expiresAt: string) =>
  ({ id, userId: 'usr_1', status, expiresAt }) as Challenge;

describe('deprovisioning side effects', () => {
  it('denies the pending identity challenges only, as deprovisioned', async () => {
    const decided: { id: string; status: string; reason?: string }[] = [];
    const challenges = {
      listChallenges: async () => [
        challenge('ch_pending', 'pending', '2026-11-23T12:05:00.000Z'),
        challenge('ch_expired', 'pending', '2026-11-23T11:00:00.000Z'),
        challenge('ch_approved', 'approved', '2026-11-23T12:05:00.000Z'),
      ],
      decide: async (c: Challenge, decision: { status: string; reason?: string }) => {
        decided.push({ id: c.id, ...decision });
        return 'applied' as const;
      },
    };

    const cancelled = await cancelPendingChallenges('usr_1', { challenges, clock: fixedClock() });

    expect(cancelled).toBe(1);
    expect(decided).toEqual([
      expect.objectContaining({ id: 'ch_pending', status: 'denied', reason: 'deprovisioned' }),
    ]);
  });

  it('refuses to deprovision the last owner through the API, and cancels challenges once it happens', async () => {
    const owner = aUser({ id: 'usr_owner', workspaceRole: 'owner' });
    const coOwner = aUser({ id: 'usr_co', workspaceRole: 'owner' });
    const cancelledFor: string[] = [];
    let activeOwners = [owner];
    const users = fakeUserRepository([owner, coOwner]);
    const deps: DeprovisionDeps = {
      users: users.repository,
      devices: {
        listDevices: async () => [],
        deprovisionUser: async () => 'applied' as const,
      },
      clock: fixedClock(),
      security: { record: () => undefined },
      queue: { enqueue: async () => undefined },
      newId: sequentialIds(),
      owners: async () => activeOwners,
      cancelPendingChallenges: async (userId) => cancelledFor.push(userId),
    };

    // Only usr_owner is an active owner (usr_co was, say, demoted meanwhile): usr_co cannot remove them.
    await expect(deprovisionUser(coOwner, owner.id, deps)).rejects.toBeInstanceOf(LastWorkspaceOwnerError);
    expect(cancelledFor).toEqual([]);
    activeOwners = [owner, coOwner];
    const removed = await deprovisionUser(coOwner, owner.id, deps);

    expect(removed.status).toBe('deprovisioned');
    expect(cancelledFor).toEqual([owner.id]);
  });
});
