import { TABLE } from '../../config/table';

/**
 * Named condition fragments. Every rule-bearing write composes these instead of inlining strings, so
 * the rule each write enforces is readable at the call site.
 */
export interface Condition {
  ConditionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
}

/** The item must not exist yet: first writer wins (unique claims, one-time provisioning). */
export const itemIsNew: Condition = {
  ConditionExpression: 'attribute_not_exists(#pk)',
  ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
};

/** The item must already exist (a parent the write depends on). */
export const itemExists: Condition = {
  ConditionExpression: 'attribute_exists(#pk)',
  ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
};

/** The user item exists and is active: nothing may change a deprovisioned user on their behalf. */
export const userIsActive: Condition = {
  ConditionExpression: 'attribute_exists(#pk) AND #status = :active',
  ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#status': 'status' },
  ExpressionAttributeValues: { ':active': 'active' },
};

/**
 * The user is still an active owner of `workspaceId`: the ConditionCheck beside a write that takes
 * another owner away. Transactions are serializable, so two such writes naming each other cannot
 * both commit and the workspace always keeps an owner (no counter to back-fill).
 */
export const isActiveOwnerOf = (workspaceId: string): Condition => ({
  ConditionExpression: '#role = :owner AND #status = :active AND #ws = :ws',
  ExpressionAttributeNames: { '#role': 'workspaceRole', '#status': 'status', '#ws': 'workspaceId' },
  ExpressionAttributeValues: { ':owner': 'owner', ':active': 'active', ':ws': workspaceId },
});

/** True when an SDK error is a transaction cancelled by at least one failed condition. */
export function cancellationCodes(error: unknown): string[] | undefined {
  if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') return undefined;
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  return reasons.map((reason) => reason.Code ?? 'None');
}
