import type { DomainEvent } from '../events';
import type { User } from '../users/model';
import type { Challenge, IdentitySettings, MagicLink } from './model';

/** The storage the identity-confirmation use cases depend on (DynamoDB in production). */

export type ChallengeWriteOutcome = 'applied' | 'conflict';

export interface ChallengeRepository {
  getSettings(workspaceId: string): Promise<Partial<IdentitySettings>>;
  putSettings(workspaceId: string, settings: IdentitySettings, now: Date): Promise<void>;
  getChallenge(userId: string, challengeId: string): Promise<Challenge | undefined>;
  /** The challenge that holds the (device, action, resource) claim, whatever its state. */
  findOpen(
    userId: string,
    deviceId: string,
    action: string,
    resource: string,
  ): Promise<Challenge | undefined>;
  /**
   * Counts one challenge in the user's hourly window (refused at the cap), claims (device, action,
   * resource) unless another live challenge holds it, and writes the challenge: one transaction.
   * `replacing` is the id of a dead challenge whose claim may be taken over.
   */
  create(
    challenge: Challenge,
    options: { hourlyCap: number; replacing?: string | undefined },
    now: Date,
  ): Promise<'applied' | 'hourly_cap' | 'claimed'>;
  /** The user's challenges of the retention window, newest first. */
  listChallenges(userId: string): Promise<Challenge[]>;
  /** Answers a pending challenge once. `requirePush`: only while its push answers are live. */
  decide(
    challenge: Challenge,
    decision: {
      status: 'approved' | 'denied';
      reason?: string;
      decidedBy: string;
      usableUntil?: string;
      requirePush: boolean;
    },
    now: Date,
  ): Promise<ChallengeWriteOutcome>;
  /** One more push, under the cap, while the challenge is pending and its push window is open. */
  recordPush(
    challenge: Challenge,
    maxPushes: number,
    pushExpiresAt: string,
    now: Date,
  ): Promise<ChallengeWriteOutcome>;
  /** Stores a new link (replacing the challenge's previous one), under the per-challenge cap. */
  attachLink(
    challenge: Challenge,
    link: MagicLink,
    maxEmails: number,
    now: Date,
    /** Outbox events written in the same transaction (the link's email). */
    events?: DomainEvent[],
  ): Promise<ChallengeWriteOutcome>;
  getLink(hash: string): Promise<MagicLink | undefined>;
  /** Uses the link and approves its challenge, both or neither. */
  consumeLink(link: MagicLink, usableUntil: string, now: Date): Promise<ChallengeWriteOutcome>;
  pushBlockedUntil(userId: string): Promise<string | undefined>;
  blockPush(userId: string, until: string, now: Date): Promise<void>;
  /** Active owners, super admins and admins of the workspace. */
  workspaceAdmins(workspaceId: string): Promise<User[]>;
  /** Replaces the workspace's SCIM token hash. */
  putScimToken(workspaceId: string, tokenHash: string, createdBy: string, now: Date): Promise<void>;
}
