import type { PushJob } from './ports';

/**
 * Something that happened, recorded in the same transaction as the change that caused it (the
 * outbox) and published after commit, at least once: consumers dedupe on `id`.
 */
export interface DomainEvent {
  id: string;
  type: string;
  occurredAt: string;
  workspaceId: string;
  detail: Record<string, unknown>;
  /** The API request (or inbound message) this event descends from: one query finds its whole path. */
  correlationId?: string;
}

/** The event type that carries push jobs (`detail.jobs`) to the push queue. */
export const PUSH_JOB_EVENT = 'push.job';

/**
 * The outbox event of the push jobs one write causes (all of them, one item): written in the same
 * transaction as that write, so the jobs exist exactly when the change does.
 */
export function pushJobsEvent(jobs: PushJob[], id: string, occurredAt: string): DomainEvent {
  // Internal work, not a workspace's event: nothing routes on it.
  return { id, type: PUSH_JOB_EVENT, occurredAt, workspaceId: '', detail: { jobs } };
}

/**
 * The event type of one email that goes out after a write (`detail.sealed`: the rendered email, sealed
 * with the keyring, because a code or a magic link is in it). The relay opens and sends it.
 */
export const MAIL_EVENT = 'email.send';
