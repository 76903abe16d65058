import type { Clock } from '../ports';
import { statusOf } from './model';
import type { ChallengeRepository } from './ports';

/**
 * Denies every identity challenge of the user still pending (reason `deprovisioned`): a challenge
 * opened before deprovisioning can no longer be approved from an old push or a magic link.
 * Returns how many it cancelled; a challenge answered meanwhile is left as it was answered.
 */
export async function cancelPendingChallenges(
  userId: string,
  deps: { challenges: Pick<ChallengeRepository, 'listChallenges' | 'decide'>; clock: Clock },
): Promise<number> {
  const now = deps.clock.now();
  const pending = (await deps.challenges.listChallenges(userId)).filter(
    (challenge) => statusOf(challenge, now) === 'pending',
  );
  const outcomes = await Promise.all(
    pending.map((challenge) =>
      deps.challenges.decide(
        challenge,
        { status: 'denied', reason: 'deprovisioned', decidedBy: 'system', requirePush: false },
        now,
      ),
    ),
  );
  return outcomes.filter((outcome) => outcome === 'applied').length;
}
