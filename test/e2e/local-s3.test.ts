import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_AWS } from '../../local/dynamodb-local';
import { freePort } from '../../local/ports';
import { type S3Local, startS3Local } from '../../local/s3-local';
import { CALL_BUDGETS } from '../../shared/adapters/aws/call-budget';
import { makeS3AttachmentStore } from '../../shared/adapters/s3/attachment-store';

/** What the local S3 enforces that s3rver alone does not (docs/secrets.md, "Local S3"). */
describe('the local S3 server', () => {
  let s3: S3Local;
  let store: ReturnType<typeof makeS3AttachmentStore>;
  beforeAll(async () => {
    s3 = await startS3Local({
      port: await freePort(),
      bucket: 'attachments-test',
      credentials: LOCAL_AWS.credentials,
      region: LOCAL_AWS.region,
    });
    const client = new S3Client({ ...LOCAL_AWS, endpoint: s3.endpoint, forcePathStyle: true });
    store = makeS3AttachmentStore(client, { bucket: 'attachments-test', budget: CALL_BUDGETS.request });
  });
  afterAll(() => s3?.stop());

  const post = async (
    presigned: { url: string; fields: Record<string, string> },
    change: (fields: Record<string, string>) => Record<string, string> = (f) => f,
  ) => {
    const form = new FormData();
    for (const [name, value] of Object.entries(change({ ...presigned.fields }))) form.append(name, value);
    form.append('file', new Blob(['hello'], { type: 'text/plain' }));
    const answer = await fetch(presigned.url, { method: 'POST', body: form });
    return { status: answer.status, text: await answer.text() };
  };
  const upload = (key: string, expiresInSeconds = 60) =>
    store.presignUpload({ key, contentType: 'text/plain', size: 5, expiresInSeconds });

  it('refuses a POST whose policy expired, was altered, or does not cover a field', async () => {
    const expiring = await upload('attachments/t/expiring', 1);
    const altered = await upload('attachments/t/altered');
    const extra = await upload('attachments/t/extra');
    const otherKey = await upload('attachments/t/key');
    await new Promise((resolve) => setTimeout(resolve, 1_100));

    const expired = await post(expiring);
    const forged = await post(altered, (fields) => ({
      ...fields,
      Policy: Buffer.from(
        Buffer.from(fields.Policy ?? '', 'base64')
          .toString('utf8')
          .replace('"content-length-range",5,5', '"content-length-range",0,99999999'),
      ).toString('base64'),
    }));
    const unlisted = await post(extra, (fields) => ({ ...fields, 'x-amz-meta-owner': 'mallory' }));
    const moved = await post(otherKey, (fields) => ({ ...fields, key: 'attachments/t/elsewhere' }));
    const fine = await post(await upload('attachments/t/fine'));

    expect(Buffer.from(altered.fields.Policy ?? '', 'base64').toString('utf8')).toContain(
      '"content-length-range",5,5',
    );
    expect(expired).toMatchObject({ status: 403, text: expect.stringContaining('Policy expired') });
    expect(forged).toMatchObject({ status: 403, text: expect.stringContaining('SignatureDoesNotMatch') });
    expect(unlisted).toMatchObject({ status: 403, text: expect.stringContaining('Extra input fields') });
    expect(moved).toMatchObject({ status: 403, text: expect.stringContaining('$key') });
    expect(fine.status).toBe(204);
    expect(await store.sizeOf('attachments/t/elsewhere')).toBeUndefined();
  });

  it('serves a presigned GET until it expires, never an unsigned or re-signed one', async () => {
    await post(await upload('attachments/t/read'));
    const url = await store.presignDownload({
      key: 'attachments/t/read',
      fileName: 'read.txt',
      contentType: 'text/plain',
      expiresInSeconds: 1,
    });

    const fresh = await fetch(url);
    const body = await fresh.text();
    const anonymous = await fetch(url.split('?')[0] as string);
    const otherKey = await fetch(url.replace('/read?', '/fine?'));
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const late = await fetch(url);

    expect(fresh.status).toBe(200);
    expect(body).toBe('hello');
    expect(fresh.headers.get('content-disposition')).toBe(
      `attachment; filename="read.txt"; filename*=UTF-8''read.txt`,
    );
    expect(anonymous.status).toBe(403);
    expect(otherKey.status).toBe(403);
    expect(late.status).toBe(403);
    expect(await late.text()).toContain('Request has expired');
  });
});
