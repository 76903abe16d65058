import type { Account } from '../accounts/model';
import type { DomainEvent } from '../events';
import type { Clock, IdGenerator } from '../ports';
import { ROTATION_JOB_EVENT } from './jobs';
import { MAX_ATTEMPTS, type Rotation, type RotationKind, type RotationTrigger } from './model';
import type { RotationRepository } from './ports';

/**
 * Building and queuing a rotation record, apart from the owner use cases: the system triggers
 * (universal logout, deprovisioning) need only this, and their bundles stay small.
 */

type QueueDeps = { rotations: RotationRepository; clock: Clock; newId: IdGenerator };

export function rotationJob(rotation: Rotation, newId: IdGenerator): DomainEvent {
  return {
    id: newId('evt'),
    type: ROTATION_JOB_EVENT,
    occurredAt: rotation.createdAt,
    workspaceId: rotation.workspaceId,
    detail: { accountId: rotation.accountId, rotationId: rotation.id },
  };
}

export function newRotation(
  account: Account,
  kind: RotationKind,
  trigger: RotationTrigger,
  requestedBy: string,
  deps: Pick<QueueDeps, 'clock' | 'newId'>,
): Rotation {
  const now = deps.clock.now().toISOString();
  return {
    id: deps.newId('rot'),
    accountId: account.id,
    workspaceId: account.workspaceId,
    kind,
    trigger,
    status: 'queued',
    step: 'seal',
    attempts: 0,
    maxAttempts: MAX_ATTEMPTS,
    fromVersion: account.passwordVersion ?? 1,
    steps: [],
    requestedBy,
    createdAt: now,
    updatedAt: now,
    rev: 0,
  };
}

/** What a system trigger (universal logout, deprovisioning) got for one account. */
export type TriggeredRotation =
  | { outcome: 'queued'; rotation: Rotation }
  | { outcome: 'in_progress'; rotationId?: string }
  | { outcome: 'duplicate' }
  | { outcome: 'missing' };

/**
 * Queues a password rotation for a system trigger, never throwing for a rotation already running
 * (it is reported, not duplicated). With `claim`, a redelivered trigger finds its earlier claim and
 * queues nothing (`duplicate`).
 */
export async function queueTriggeredRotation(
  account: Account,
  trigger: Exclude<RotationTrigger, 'manual'>,
  requestedBy: string,
  deps: QueueDeps,
  claim?: string,
): Promise<TriggeredRotation> {
  if (account.activeRotation) return { outcome: 'in_progress', rotationId: account.activeRotation.id };
  const rotation = newRotation(account, 'password', trigger, requestedBy, deps);
  const outcome = await deps.rotations.start(
    rotation,
    rotationJob(rotation, deps.newId),
    claim ? { claim } : {},
  );
  if (outcome === 'applied') return { outcome: 'queued', rotation };
  if (outcome === 'in_progress') {
    const current = await deps.rotations.list(account.id);
    const running = current.find((r) => r.status === 'queued' || r.status === 'running');
    return { outcome: 'in_progress', ...(running ? { rotationId: running.id } : {}) };
  }
  return { outcome };
}
