import { attachmentObjectPrefix } from './model';

/**
 * What a removal in the table means for the attachments bucket. The table stream is the one path that
 * deletes attachment objects: an attachment record removed (by its route, a purge, or the clean-up
 * below) takes its object along; a secret removed by TTL (30 days in the trash, or purged) takes every
 * object under its prefix and whatever its partition still holds (attachment records, versions, grants).
 */
export type Removal =
  | { kind: 'attachment'; secretId: string; attachmentId: string }
  | { kind: 'secret'; secretId: string };

export interface AttachmentObjects {
  /** Deletes every object whose key starts with `prefix`; answers how many there were (0 is fine). */
  removeUnder(prefix: string): Promise<number>;
}

export interface SecretRemains {
  /** Deletes every item left in a removed secret's partition; answers how many there were. */
  removeAll(secretId: string): Promise<number>;
}

export interface CleanupDeps {
  objects: AttachmentObjects;
  remains: SecretRemains;
}

export class UnsafeRemovalError extends Error {
  constructor(removal: Removal) {
    super(
      `refusing to clean up after ${removal.kind} ${JSON.stringify(removal)}: ids that could widen a prefix`,
    );
    this.name = 'UnsafeRemovalError';
  }
}

/**
 * Idempotent: deleting what is already gone deletes nothing, so a replayed stream record is harmless.
 * For a secret the objects go first: a failure after them retries the whole record, and the items
 * removed last produce attachment removals that then find nothing left to delete.
 */
export async function cleanUpAfter(
  removal: Removal,
  deps: CleanupDeps,
): Promise<{ objects: number; items: number }> {
  const prefix =
    removal.kind === 'attachment'
      ? attachmentObjectPrefix(removal.secretId, removal.attachmentId)
      : attachmentObjectPrefix(removal.secretId);
  if (!prefix) throw new UnsafeRemovalError(removal);
  const objects = await deps.objects.removeUnder(prefix);
  const items = removal.kind === 'secret' ? await deps.remains.removeAll(removal.secretId) : 0;
  return { objects, items };
}
