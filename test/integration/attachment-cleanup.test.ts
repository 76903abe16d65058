import { DeleteObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DeleteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createAttachmentCleanup } from '../../functions/events/attachment-cleanup';
import { ensureTable, LOCAL_AWS } from '../../local/dynamodb-local';
import { startS3Local } from '../../local/s3-local';
import { type StreamRelay, startStreamRelay } from '../../local/stream-relay';
import { CALL_BUDGETS } from '../../shared/adapters/aws/call-budget';
import { makeAttachmentRepository } from '../../shared/adapters/dynamodb/attachment-repository';
import { makeSecretRemains } from '../../shared/adapters/dynamodb/secret-remains';
import { makeVaultRepository, vaultKeys } from '../../shared/adapters/dynamodb/vault-repository';
import { newId } from '../../shared/adapters/ids';
import { makeS3AttachmentObjects } from '../../shared/adapters/s3/attachment-objects';
import { TABLE } from '../../shared/config/table';
import { type Attachment, attachmentObjectPrefix, type Secret } from '../../shared/domain/secrets/model';
import { localTable, unique } from './dynamo';

/**
 * The attachment clean-up against real engines: DynamoDB Local's own stream (read by the local
 * runtime's poller, the stand-in for Lambda's event source mapping), DynamoDB Local's own TTL
 * deletions and the local S3 server (s3rver behind its checking front). The table is this file's own,
 * so no other test's removals reach this consumer.
 */
const { doc } = localTable();
const tableName = unique('latchkey-cleanup');
const BUCKET = 'latchkey-cleanup-test';
let s3: Awaited<ReturnType<typeof startS3Local>>;
let client: S3Client;
let relay: StreamRelay;
const attachments = makeAttachmentRepository(doc, tableName);
const vaults = makeVaultRepository(doc, tableName);

beforeAll(async () => {
  await ensureTable(inject('dynamodbEndpoint'), tableName);
  s3 = await startS3Local({
    port: 0,
    bucket: BUCKET,
    credentials: LOCAL_AWS.credentials,
    region: LOCAL_AWS.region,
  });
  client = new S3Client({ ...LOCAL_AWS, endpoint: s3.endpoint, forcePathStyle: true });
  const deps = {
    objects: makeS3AttachmentObjects(client, { bucket: BUCKET, budget: CALL_BUDGETS.worker }),
    remains: makeSecretRemains(doc, tableName),
  };
  relay = await startStreamRelay({
    name: 'attachment-cleanup',
    endpoint: inject('dynamodbEndpoint'),
    tableName,
    consumer: async () => createAttachmentCleanup(deps),
    pollIntervalMs: 100,
  });
});

afterAll(async () => {
  await relay?.stop();
  await s3?.stop();
  client?.destroy();
});

/** A vault and a secret written by the vault repository, with `count` uploaded attachments and a grant. */
async function secretWithFiles(count: number) {
  const at = new Date().toISOString();
  const vaultId = newId('vlt');
  await vaults.createVault(
    {
      id: vaultId,
      workspaceId: 'ws_cleanup',
      name: 'v',
      managerCount: 1,
      liveSecretCount: 0,
      createdBy: 'usr_x',
      createdAt: at,
      updatedAt: at,
    },
    { principalId: 'usr_x', role: 'manager', addedAt: at, addedBy: 'usr_x' },
  );
  const sealed = { ciphertext: 'c', encryptedKey: 'k', iv: 'i', tag: 't' } as unknown as Secret['sealed'];
  const secret: Secret = {
    id: newId('sec'),
    vaultId,
    workspaceId: 'ws_cleanup',
    name: 'files',
    items: [],
    sealed,
    version: 1,
    createdBy: 'usr_x',
    createdAt: at,
    updatedBy: 'usr_x',
    updatedAt: at,
  };
  const secretId = secret.id;
  expect(
    await vaults.createSecret(secret, {
      secretId,
      version: 1,
      name: 'files',
      items: [],
      sealed,
      createdBy: 'usr_x',
      createdAt: at,
    }),
  ).toBe('applied');
  const files: Attachment[] = [];
  for (let i = 0; i < count; i++) {
    const id = newId('att');
    const attachment: Attachment = {
      id,
      secretId,
      name: `f${i}.txt`,
      contentType: 'text/plain',
      size: 5,
      objectKey: `${attachmentObjectPrefix(secretId, id)}${newId('k')}`,
      createdBy: 'usr_test',
      createdAt: new Date().toISOString(),
    };
    expect(await attachments.create(attachment, 20)).toBe('applied');
    await client.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: attachment.objectKey,
        Body: 'hello',
        ContentType: 'text/plain',
      }),
    );
    files.push(attachment);
  }
  expect(
    await vaults.putSecretGrant(secretId, {
      principalId: 'usr_y',
      role: 'viewer',
      addedAt: at,
      addedBy: 'usr_x',
    }),
  ).toBe('applied');
  return { secret, secretId, files };
}

async function keysUnder(prefix: string): Promise<string[]> {
  const page = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
  return (page.Contents ?? []).map((object) => object.Key ?? '');
}

async function partition(secretId: string): Promise<string[]> {
  const { Items } = await doc.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
      ExpressionAttributeValues: { ':pk': `SECRET#${secretId}` },
      ConsistentRead: true,
    }),
  );
  return (Items ?? []).map((item) => String(item[TABLE.sortKey])).sort();
}

/** Relays the stream until `done` holds (DynamoDB Local's TTL sweep runs every few seconds). */
async function until(done: () => Promise<boolean>, seconds: number) {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    await relay.drain();
    if (await done()) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`not done within ${seconds} s`);
}

describe('attachment clean-up on DynamoDB Local and the local S3 server', () => {
  it('deletes a removed attachment record’s object, and only that one', async () => {
    const { secretId, files } = await secretWithFiles(2);
    const [gone, kept] = files as [Attachment, Attachment];

    expect(await attachments.remove(gone)).toBe('applied');
    await until(async () => (await keysUnder(attachmentObjectPrefix(secretId) ?? '-')).length === 1, 20);

    expect(await keysUnder(attachmentObjectPrefix(secretId) ?? '-')).toEqual([kept.objectKey]);
    expect(await partition(secretId)).toContain(`ATTACHMENT#${kept.id}`);
    expect(await partition(secretId)).toContain('META');
  });

  it('empties a secret removed by DynamoDB TTL: every object under its prefix and every item left', async () => {
    const { secret, secretId, files } = await secretWithFiles(3);
    const bystander = await secretWithFiles(1);
    // An object the records do not name (an upload whose record was removed meanwhile): the prefix has it.
    const stray = `${attachmentObjectPrefix(secretId)}stray`;
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: stray, Body: 'x' }));
    // Trashed 30 days ago: the trash write sets the TTL attribute to the purge date, here already past.
    const trashedAt = new Date(Date.now() - 30 * 86_400_000);
    expect(await vaults.trashSecret(secret, trashedAt, new Date(Date.now() - 60_000))).toBe('applied');

    await until(
      async () =>
        (await partition(secretId)).length === 0 &&
        (await keysUnder(`attachments/${secretId}/`)).length === 0,
      50,
    );

    expect(files).toHaveLength(3);
    expect(await keysUnder(attachmentObjectPrefix(bystander.secretId) ?? '-')).toEqual([
      bystander.files[0]?.objectKey,
    ]);
    // The bystander keeps its item, version, attachment record and grant.
    expect(await partition(bystander.secretId)).toHaveLength(4);
    const dead = relay.snapshot().deadLetters;
    expect(dead).toEqual([]);
  }, 60_000);

  it('leaves a secret whose item someone deleted by hand (not TTL) as it is', async () => {
    const { secretId, files } = await secretWithFiles(1);
    const marker = await secretWithFiles(1);

    await doc.send(new DeleteCommand({ TableName: tableName, Key: vaultKeys.secret(secretId) }));
    // A later removal the clean-up does act on: once it is done, the earlier record has been handled.
    const [markerFile] = marker.files as [Attachment];
    await attachments.remove(markerFile);
    await until(
      async () => (await keysUnder(attachmentObjectPrefix(marker.secretId) ?? '-')).length === 0,
      20,
    );

    expect(await keysUnder(attachmentObjectPrefix(secretId) ?? '-')).toEqual([files[0]?.objectKey]);
    expect(await partition(secretId)).toHaveLength(3); // version, attachment record, grant
  });

  it('tolerates an object already gone (a replay, or deleted by hand)', async () => {
    const { secretId, files } = await secretWithFiles(1);
    const [file] = files as [Attachment];
    await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: file.objectKey }));
    const before = relay.snapshot().recordsRead;

    await attachments.remove(file);
    // The REMOVE record reached the clean-up (a failure would have been retried, then dead-lettered).
    await until(async () => relay.snapshot().recordsRead > before, 20);

    expect(relay.snapshot().deadLetters).toEqual([]);
    expect(await partition(secretId)).not.toContain(`ATTACHMENT#${file.id}`);
  });
});
