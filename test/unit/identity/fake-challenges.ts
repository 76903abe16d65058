import type { Challenge, IdentitySettings, MagicLink } from '../../../shared/domain/identity/model';
import type { ChallengeRepository } from '../../../shared/domain/identity/ports';
import type { User } from '../../../shared/domain/users/model';

/** An in-memory ChallengeRepository with the same conditions as the DynamoDB one (integration tests use that). */
export function fakeChallengeRepository(admins: User[] = []) {
  const challenges = new Map<string, Challenge>();
  const claims = new Map<string, string>();
  const counts = new Map<string, number>();
  const links = new Map<string, MagicLink>();
  const settings = new Map<string, Partial<IdentitySettings>>();
  const blocks = new Map<string, string>();
  const scimTokens = new Map<string, string>();
  const key = (userId: string, id: string) => `${userId}/${id}`;
  const claimKey = (c: Pick<Challenge, 'userId' | 'deviceId' | 'action' | 'resource'>) =>
    [c.userId, c.deviceId, c.action, c.resource].join('\n');

  const repository: ChallengeRepository = {
    getSettings: async (workspaceId) => settings.get(workspaceId) ?? {},
    putSettings: async (workspaceId, value) => void settings.set(workspaceId, value),
    getChallenge: async (userId, id) => challenges.get(key(userId, id)),
    findOpen: async (userId, deviceId, action, resource) => {
      const id = claims.get(claimKey({ userId, deviceId, action, resource }));
      return id ? challenges.get(key(userId, id)) : undefined;
    },
    create: async (challenge, options, now) => {
      const hour = `${challenge.userId}/${Math.floor(now.getTime() / 3_600_000)}`;
      if ((counts.get(hour) ?? 0) >= options.hourlyCap) return 'hourly_cap';
      const holder = claims.get(claimKey(challenge));
      const held = holder ? challenges.get(key(challenge.userId, holder)) : undefined;
      if (held && held.expiresAt > now.toISOString() && holder !== options.replacing) return 'claimed';
      counts.set(hour, (counts.get(hour) ?? 0) + 1);
      claims.set(claimKey(challenge), challenge.id);
      challenges.set(key(challenge.userId, challenge.id), { ...challenge });
      return 'applied';
    },
    listChallenges: async (userId) =>
      [...challenges.values()]
        .filter((c) => c.userId === userId)
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt)),
    decide: async (challenge, decision, now) => {
      const current = challenges.get(key(challenge.userId, challenge.id));
      const at = now.toISOString();
      if (current?.status !== 'pending') return 'conflict';
      if ((decision.status === 'approved' || decision.requirePush) && current.expiresAt <= at)
        return 'conflict';
      if (decision.requirePush && !(current.pushExpiresAt && current.pushExpiresAt > at)) return 'conflict';
      challenges.set(key(challenge.userId, challenge.id), {
        ...current,
        status: decision.status,
        decidedAt: at,
        decidedBy: decision.decidedBy,
        ...(decision.reason ? { reason: decision.reason } : {}),
        ...(decision.usableUntil ? { usableUntil: decision.usableUntil } : {}),
      });
      return 'applied';
    },
    recordPush: async (challenge, maxPushes, pushExpiresAt, now) => {
      const current = challenges.get(key(challenge.userId, challenge.id));
      const at = now.toISOString();
      if (current?.status !== 'pending' || current.expiresAt <= at || current.pushesSent >= maxPushes)
        return 'conflict';
      if (current.pushExpiresAt && current.pushExpiresAt <= at) return 'conflict';
      challenges.set(key(challenge.userId, challenge.id), {
        ...current,
        pushesSent: current.pushesSent + 1,
        pushExpiresAt: current.pushExpiresAt ?? pushExpiresAt,
        expiresAt: current.expiresAt > pushExpiresAt ? current.expiresAt : pushExpiresAt,
      });
      return 'applied';
    },
    attachLink: async (challenge, link, maxEmails, now) => {
      const current = challenges.get(key(challenge.userId, challenge.id));
      if (
        current?.status !== 'pending' ||
        current.expiresAt <= now.toISOString() ||
        current.emailsSent >= maxEmails
      )
        return 'conflict';
      links.set(link.hash, { ...link });
      challenges.set(key(challenge.userId, challenge.id), {
        ...current,
        emailsSent: current.emailsSent + 1,
        linkHash: link.hash,
        linkExpiresAt: link.expiresAt,
        expiresAt: current.expiresAt > link.expiresAt ? current.expiresAt : link.expiresAt,
      });
      return 'applied';
    },
    getLink: async (hash) => links.get(hash),
    consumeLink: async (link, usableUntil, now) => {
      const at = now.toISOString();
      const stored = links.get(link.hash);
      const current = challenges.get(key(link.userId, link.challengeId));
      if (!stored || stored.usedAt || stored.expiresAt <= at) return 'conflict';
      if (current?.status !== 'pending' || current.linkHash !== link.hash || current.expiresAt <= at)
        return 'conflict';
      links.set(link.hash, { ...stored, usedAt: at });
      challenges.set(key(link.userId, link.challengeId), {
        ...current,
        status: 'approved',
        decidedAt: at,
        decidedBy: 'magic_link',
        usableUntil,
      });
      return 'applied';
    },
    pushBlockedUntil: async (userId) => blocks.get(userId),
    blockPush: async (userId, until) => void blocks.set(userId, until),
    workspaceAdmins: async (workspaceId) => admins.filter((a) => a.workspaceId === workspaceId),
    putScimToken: async (workspaceId, hash) => void scimTokens.set(workspaceId, hash),
  };
  return { repository, challenges, links, settings, blocks, scimTokens };
}
