/**
 * A domain event: something that happened, written as a transactional outbox item in the same
 * TransactWriteItems as the change it describes, and relayed to subscribers afterwards.
 */
export interface DomainEvent {
  id: string;
  type: string;
  occurredAt: string;
  workspaceId: string;
  detail: Record<string, unknown>;
}
