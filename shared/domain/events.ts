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

/** The event type that carries a push job (`detail` is the job) to the push queue. */
export const PUSH_JOB_EVENT = 'push.job';
