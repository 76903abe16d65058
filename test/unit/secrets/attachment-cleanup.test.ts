import { readFileSync } from 'node:fs';
import { DeleteObjectsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createAttachmentCleanup } from '../../../functions/events/attachment-cleanup';
import { CALL_BUDGETS } from '../../../shared/adapters/aws/call-budget';
import { attachmentKeys } from '../../../shared/adapters/dynamodb/attachment-repository';
import {
  ATTACHMENT_CLEANUP_FILTERS,
  ATTACHMENT_ITEM,
  removalOf,
  SECRET_ITEM,
  SECRET_PARTITION,
} from '../../../shared/adapters/dynamodb/secret-removals';
import { vaultKeys } from '../../../shared/adapters/dynamodb/vault-repository';
import { makeS3AttachmentObjects } from '../../../shared/adapters/s3/attachment-objects';
import type { CleanupDeps } from '../../../shared/domain/secrets/cleanup';

/** Lambda-shaped stream records (the shape AWS documents; values invented): see the file's records. */
const fixture = JSON.parse(
  readFileSync(
    new URL('../../fixtures/aws-events/dynamodb-stream.secret-removals.json', import.meta.url),
    'utf8',
  ),
) as DynamoDBStreamEvent;
const records = fixture.Records;
const [ttlSecret, removedAttachment, handDeletedSecret, expiredChallenge, trashedSecret, newAttachment] =
  records as [DynamoDBRecord, DynamoDBRecord, DynamoDBRecord, DynamoDBRecord, DynamoDBRecord, DynamoDBRecord];

/**
 * Lambda's filter rules as far as the clean-up's patterns use them (exact values and `prefix`), so the
 * test can hold the handler's own rule against the filter the event source mapping applies in AWS.
 */
function matches(pattern: unknown, value: unknown): boolean {
  if (Array.isArray(pattern))
    return pattern.some((rule) =>
      typeof rule === 'object' && rule !== null && 'prefix' in rule
        ? typeof value === 'string' && value.startsWith(String((rule as { prefix: string }).prefix))
        : rule === value,
    );
  if (typeof pattern !== 'object' || pattern === null || typeof value !== 'object' || value === null)
    return false;
  return Object.entries(pattern).every(([key, inner]) =>
    matches(inner, (value as Record<string, unknown>)[key]),
  );
}
const passesFilter = (record: DynamoDBRecord) => ATTACHMENT_CLEANUP_FILTERS.some((p) => matches(p, record));

/** An in-memory bucket and table partition set, recording what the clean-up asked for. */
function fakeDeps(failOn?: string) {
  const objects = new Set([
    'attachments/sec_ttlPurged1/att_a/k1',
    'attachments/sec_ttlPurged1/att_b/k2',
    'attachments/sec_ttlPurged1/legacyKeyWithoutAttachmentId',
    'attachments/sec_live2/att_removed3/k3',
    'attachments/sec_live2/att_new7/k4',
    'attachments/sec_deletedByHand4/att_c/k5',
  ]);
  const partitions = new Map([
    ['sec_ttlPurged1', 5],
    ['sec_deletedByHand4', 3],
  ]);
  const calls: string[] = [];
  const deps: CleanupDeps = {
    objects: {
      async removeUnder(prefix) {
        calls.push(`objects ${prefix}`);
        if (failOn && prefix.includes(failOn)) throw new Error('S3 is having a day');
        const gone = [...objects].filter((key) => key.startsWith(prefix));
        for (const key of gone) objects.delete(key);
        return gone.length;
      },
    },
    remains: {
      async removeAll(secretId) {
        calls.push(`items ${secretId}`);
        const count = partitions.get(secretId) ?? 0;
        partitions.delete(secretId);
        return count;
      },
    },
  };
  return { deps, objects, partitions, calls };
}

describe('removalOf (the clean-up’s reading of a stream record)', () => {
  it('reads a TTL removal of a secret and any removal of an attachment record, nothing else', () => {
    expect(records.map(removalOf)).toEqual([
      { kind: 'secret', secretId: 'sec_ttlPurged1' },
      { kind: 'attachment', secretId: 'sec_live2', attachmentId: 'att_removed3' },
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('agrees with the event filter of the event source mapping on every record', () => {
    expect(records.map(passesFilter)).toEqual(records.map((record) => removalOf(record) !== undefined));
    expect(passesFilter(ttlSecret)).toBe(true);
    expect(passesFilter(handDeletedSecret)).toBe(false);
  });

  it('reads keys shaped exactly as the repositories write them', () => {
    expect(vaultKeys.secret('sec_1')).toEqual({ pk: `${SECRET_PARTITION}sec_1`, sk: SECRET_ITEM });
    expect(attachmentKeys.attachment('sec_1', 'att_1')).toEqual({
      pk: `${SECRET_PARTITION}sec_1`,
      sk: `${ATTACHMENT_ITEM}att_1`,
    });
  });

  it('does not take a secret removed by someone other than TTL for a purge', () => {
    const byAUser = { ...ttlSecret, userIdentity: { type: 'Service', principalId: 'someone.amazonaws.com' } };

    expect(removalOf(byAUser)).toBeUndefined();
    expect(passesFilter(byAUser)).toBe(false);
  });
});

describe('createAttachmentCleanup (table stream -> attachments bucket)', () => {
  it('deletes a TTL-purged secret’s objects and leftover items, and a removed attachment’s object only', async () => {
    const { deps, objects, partitions, calls } = fakeDeps();

    const response = await createAttachmentCleanup(deps)(fixture);

    expect(response).toEqual({ batchItemFailures: [] });
    // Records are cleaned up independently (in parallel); within a secret, the objects go first.
    expect([...calls].sort()).toEqual([
      'items sec_ttlPurged1',
      'objects attachments/sec_live2/att_removed3/',
      'objects attachments/sec_ttlPurged1/',
    ]);
    expect(calls.indexOf('objects attachments/sec_ttlPurged1/')).toBeLessThan(
      calls.indexOf('items sec_ttlPurged1'),
    );
    expect([...objects].sort()).toEqual([
      'attachments/sec_deletedByHand4/att_c/k5',
      'attachments/sec_live2/att_new7/k4',
    ]);
    expect([...partitions.keys()]).toEqual(['sec_deletedByHand4']);
  });

  it('reports only the failed record, so Lambda retries from it; the others are cleaned up', async () => {
    const { deps, objects } = fakeDeps('sec_ttlPurged1');

    const response = await createAttachmentCleanup(deps)(fixture);

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: '111100000000000000000001' }] });
    expect(objects.has('attachments/sec_live2/att_removed3/k3')).toBe(false);
    expect(objects.has('attachments/sec_ttlPurged1/att_a/k1')).toBe(true);
  });

  it('is idempotent: a replayed batch deletes nothing more and fails nothing', async () => {
    const { deps, objects } = fakeDeps();
    const cleanup = createAttachmentCleanup(deps);
    await cleanup(fixture);
    const left = [...objects];

    const replay = await cleanup(fixture);

    expect(replay).toEqual({ batchItemFailures: [] });
    expect([...objects]).toEqual(left);
  });

  it('refuses keys whose ids could widen the prefix (empty, a slash) instead of deleting more', async () => {
    const { deps, objects, calls } = fakeDeps();
    const keyed = (pk: string, sk: string, sequence: string): DynamoDBRecord => ({
      ...removedAttachment,
      dynamodb: {
        ...removedAttachment.dynamodb,
        Keys: { pk: { S: pk }, sk: { S: sk } },
        SequenceNumber: sequence,
      },
    });
    const event = {
      Records: [
        keyed('SECRET#', 'ATTACHMENT#att_x', '9001'),
        keyed('SECRET#sec_live2', 'ATTACHMENT#', '9002'),
        keyed('SECRET#sec_live2/../sec_ttlPurged1', 'ATTACHMENT#att_a', '9003'),
        {
          ...ttlSecret,
          dynamodb: {
            ...ttlSecret.dynamodb,
            Keys: { pk: { S: 'SECRET#' }, sk: { S: 'META' } },
            SequenceNumber: '9004',
          },
        },
      ],
    };
    const before = objects.size;

    const response = await createAttachmentCleanup(deps)(event);

    expect(response.batchItemFailures.map((failure) => failure.itemIdentifier)).toEqual([
      '9001',
      '9002',
      '9003',
      '9004',
    ]);
    expect(calls).toEqual([]);
    expect(objects.size).toBe(before);
  });

  it('ignores what is not its business: expired challenges, trash moves, new attachments', async () => {
    const { deps, calls } = fakeDeps();

    const response = await createAttachmentCleanup(deps)({
      Records: [expiredChallenge, trashedSecret, newAttachment, handDeletedSecret],
    });

    expect(response).toEqual({ batchItemFailures: [] });
    expect(calls).toEqual([]);
  });
});

describe('makeS3AttachmentObjects (ListObjectsV2 + DeleteObjects)', () => {
  const s3 = mockClient(S3Client);
  const objects = makeS3AttachmentObjects(new S3Client({ region: 'eu-west-1' }), {
    bucket: 'latchkey-attachments',
    budget: CALL_BUDGETS.worker,
  });
  beforeEach(() => s3.reset());

  it('lists the prefix page by page and deletes each page quietly', async () => {
    s3.on(ListObjectsV2Command)
      .resolvesOnce({
        Contents: [{ Key: 'attachments/sec_1/a' }, { Key: 'attachments/sec_1/b' }],
        NextContinuationToken: 't1',
        IsTruncated: true,
      })
      .resolvesOnce({ Contents: [{ Key: 'attachments/sec_1/c' }], IsTruncated: false });
    s3.on(DeleteObjectsCommand).resolves({ Deleted: [] });

    const removed = await objects.removeUnder('attachments/sec_1/');

    expect(removed).toBe(3);
    expect(s3.commandCalls(ListObjectsV2Command).map((call) => call.args[0].input)).toEqual([
      { Bucket: 'latchkey-attachments', Prefix: 'attachments/sec_1/', MaxKeys: 1000 },
      {
        Bucket: 'latchkey-attachments',
        Prefix: 'attachments/sec_1/',
        MaxKeys: 1000,
        ContinuationToken: 't1',
      },
    ]);
    expect(s3.commandCalls(DeleteObjectsCommand).map((call) => call.args[0].input)).toEqual([
      {
        Bucket: 'latchkey-attachments',
        Delete: { Objects: [{ Key: 'attachments/sec_1/a' }, { Key: 'attachments/sec_1/b' }], Quiet: true },
      },
      { Bucket: 'latchkey-attachments', Delete: { Objects: [{ Key: 'attachments/sec_1/c' }], Quiet: true } },
    ]);
  });

  it('sends no DeleteObjects for an empty prefix (already cleaned up)', async () => {
    s3.on(ListObjectsV2Command).resolves({ KeyCount: 0, IsTruncated: false });

    expect(await objects.removeUnder('attachments/sec_2/')).toBe(0);
    expect(s3.commandCalls(DeleteObjectsCommand)).toHaveLength(0);
  });

  it('fails when S3 reports keys it did not delete, so the stream record is retried', async () => {
    s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: 'attachments/sec_3/a' }], IsTruncated: false });
    s3.on(DeleteObjectsCommand).resolves({
      Errors: [{ Key: 'attachments/sec_3/a', Code: 'AccessDenied', Message: 'Access Denied' }],
    });

    await expect(objects.removeUnder('attachments/sec_3/')).rejects.toThrow(/AccessDenied/);
  });
});
