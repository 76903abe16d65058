import type * as zc from 'zod/v4/core';
import type { PasswordVersion, Rotation } from '../domain/rotation/model';
import type { passwordVersionSchema, rotationSchema } from './rotation-schemas';

/** A rotation as clients see it: never the sealed seed, the lease or the revision. */
export function toRotationView(rotation: Rotation): zc.input<typeof rotationSchema> {
  return {
    id: rotation.id,
    accountId: rotation.accountId,
    kind: rotation.kind,
    trigger: rotation.trigger,
    status: rotation.status,
    step: rotation.step,
    attempts: rotation.attempts,
    maxAttempts: rotation.maxAttempts,
    fromVersion: rotation.fromVersion,
    ...(rotation.pendingVersion !== undefined ? { pendingVersion: rotation.pendingVersion } : {}),
    steps: rotation.steps,
    ...(rotation.error ? { error: rotation.error } : {}),
    createdAt: rotation.createdAt,
    updatedAt: rotation.updatedAt,
    ...(rotation.finishedAt ? { finishedAt: rotation.finishedAt } : {}),
  };
}

export function toVersionView(
  version: Omit<PasswordVersion, 'secret'>,
): zc.input<typeof passwordVersionSchema> {
  return {
    version: version.version,
    status: version.status,
    ...(version.rotationId ? { rotationId: version.rotationId } : {}),
    createdBy: version.createdBy,
    createdAt: version.createdAt,
  };
}
