import { readFileSync } from 'node:fs';
import { GetObjectCommand, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import type { SESEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { CALL_BUDGETS } from '../../../shared/adapters/aws/call-budget';
import { MAIL_LIMITS, parseMail } from '../../../shared/adapters/mime/parse-mail';
import { makeS3BlobStore } from '../../../shared/adapters/s3/blob-store';
import { parseSesEvent } from '../../../shared/adapters/ses/inbound-event';
import type { InboundMessage } from '../../../shared/domain/accounts/ingest';
import { intakeMail, MAX_QUEUED_BYTES } from '../../../shared/domain/accounts/mail-intake';

const fixture = JSON.parse(
  readFileSync('test/fixtures/aws-events/inbound-email.ses-lambda-event.json', 'utf8'),
) as SESEvent;

describe('parseSesEvent', () => {
  it('reads the recorded receipt event: id, time, recipients, sender, subject, verdicts', () => {
    expect(parseSesEvent(fixture)).toEqual([
      {
        messageId: 'o3vrnil0e2ic28tr',
        timestamp: '2026-11-22T12:45:07.000Z',
        recipients: ['acct-7f3k2@inbox.latchkey.example'],
        from: 'Example Accounts <no-reply@accounts.example>',
        subject: 'Your verification code',
        spam: false,
        virus: false,
      },
    ]);
  });

  it('copes with missing common headers and reads FAIL verdicts', () => {
    const record = structuredClone(fixture.Records[0]) as SESEvent['Records'][number];
    (record.ses.mail as { commonHeaders?: unknown }).commonHeaders = undefined;
    record.ses.receipt.spamVerdict = { status: 'FAIL' };
    record.ses.receipt.virusVerdict = { status: 'FAIL' };

    const [notice] = parseSesEvent({ Records: [record] });

    expect(notice).toMatchObject({ from: 'no-reply@accounts.example', spam: true, virus: true });
    expect(notice).not.toHaveProperty('subject');
  });
});

describe('parseMail (hostile MIME)', () => {
  it('keeps text and HTML, drops attachment contents, keeps their names', async () => {
    const raw = Buffer.from(
      [
        'From: A <a@example.com>',
        'Subject: Code',
        'Content-Type: multipart/mixed; boundary="b"',
        '',
        '--b',
        'Content-Type: text/plain',
        '',
        'Your code is 123456',
        '--b',
        'Content-Type: application/pdf; name="invoice.pdf"',
        'Content-Disposition: attachment; filename="invoice.pdf"',
        'Content-Transfer-Encoding: base64',
        '',
        Buffer.from('SECRET PDF CONTENT').toString('base64'),
        '--b--',
      ].join('\r\n'),
    );

    const parsed = await parseMail(raw);

    expect(parsed).toMatchObject({ from: 'A <a@example.com>', subject: 'Code' });
    expect(parsed?.text.trim()).toBe('Your code is 123456');
    expect(parsed?.attachments).toEqual([{ filename: 'invoice.pdf', mimeType: 'application/pdf', size: 18 }]);
    expect(JSON.stringify(parsed)).not.toContain('SECRET PDF');
  });

  it.each([
    [
      'a broken boundary',
      'Content-Type: multipart/mixed; boundary="x"\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\nhalf',
    ],
    [
      'binary garbage',
      Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)).toString('latin1'),
    ],
    [
      'deep nesting',
      `${Array.from({ length: 200 }, (_, i) => `Content-Type: multipart/mixed; boundary="n${i}"\r\n\r\n--n${i}\r\n`).join('')}text`,
    ],
    ['a 1 MB header line', `Subject: ${'x'.repeat(1024 * 1024)}\r\n\r\nbody`],
  ])('never throws and stays bounded on %s', async (_name, input) => {
    const parsed = await parseMail(Buffer.from(input, 'latin1'));

    if (parsed) {
      expect(parsed.text.length).toBeLessThanOrEqual(MAIL_LIMITS.textChars);
      // Cut above the inbox's 998 so that the inbox sees the cut and flags it `truncated`.
      expect((parsed.subject ?? '').length).toBeLessThanOrEqual(MAIL_LIMITS.subjectChars);
    }
  });
});

describe('intakeMail', () => {
  const notice = parseSesEvent(fixture)[0] as NonNullable<ReturnType<typeof parseSesEvent>[number]>;
  function deps(objects: Record<string, { body: Buffer; truncated: boolean }>) {
    const reads: string[] = [];
    const queued: InboundMessage[] = [];
    return {
      reads,
      queued,
      deps: {
        blobs: {
          get: async (key: string) => {
            reads.push(key);
            return objects[key];
          },
        },
        parse: parseMail,
        queue: { enqueue: async (items: InboundMessage[]) => void queued.push(...items) },
        prefix: 'inbound/',
        maxBytes: 1024,
      },
    };
  }

  it('reads the object the S3 action wrote and queues one message per recipient', async () => {
    const f = deps({
      'inbound/o3vrnil0e2ic28tr': {
        body: Buffer.from('Subject: Hi\r\n\r\nYour code is 654321'),
        truncated: false,
      },
    });

    await intakeMail(notice, f.deps);

    expect(f.queued).toEqual([
      expect.objectContaining({
        channel: 'email',
        naturalId: 'o3vrnil0e2ic28tr:acct-7f3k2@inbox.latchkey.example',
        to: 'acct-7f3k2@inbox.latchkey.example',
        subject: 'Hi',
        receivedAt: '2026-11-22T12:45:07.000Z',
        flags: [],
      }),
    ]);
    expect(f.queued[0]?.text.trim()).toBe('Your code is 654321');
  });

  it('never reads a message SES found a virus in, and flags spam, oversize and missing objects', async () => {
    const virus = deps({});
    await intakeMail({ ...notice, virus: true }, virus.deps);
    const big = deps({ 'inbound/o3vrnil0e2ic28tr': { body: Buffer.alloc(1024), truncated: true } });
    await intakeMail({ ...notice, spam: true }, big.deps);
    const missing = deps({});
    await intakeMail(notice, missing.deps);

    expect(virus.reads).toEqual([]);
    expect(virus.queued[0]).toMatchObject({ flags: ['virus'], text: '' });
    expect(big.queued[0]).toMatchObject({ flags: ['spam', 'too_large'], text: '' });
    expect(missing.queued[0]?.flags).toEqual(['missing']);
  });
});

describe('intakeMail: what goes on the inbox queue fits SQS (256 KiB per message and per batch)', () => {
  const notice = {
    ...(parseSesEvent(fixture)[0] as NonNullable<ReturnType<typeof parseSesEvent>[number]>),
    recipients: ['a@inbox.example', 'b@inbox.example', 'c@inbox.example'],
  };
  async function queue(raw: string) {
    const batches: InboundMessage[][] = [];
    await intakeMail(notice, {
      blobs: { get: async () => ({ body: Buffer.from(raw), truncated: false }) },
      parse: parseMail,
      queue: { enqueue: async (items: InboundMessage[]) => void batches.push(items) },
      prefix: 'inbound/',
      maxBytes: 10 * 1024 * 1024,
    });
    return batches;
  }
  /** SQS counts the message bodies of a batch: each one's JSON. */
  const bytes = (batch: InboundMessage[]) =>
    batch.reduce((sum, m) => sum + Buffer.byteLength(JSON.stringify(m)), 0);

  it('cuts the HTML of a large CJK HTML-only message first, keeps its text, and splits the batches', async () => {
    const html = `<p>验证码 <b>482913</b></p><p>${'这是一封很长的邮件。'.repeat(12_000)}</p>`;

    const batches = await queue(`Subject: big\r\nContent-Type: text/html; charset=utf-8\r\n\r\n${html}`);

    const queued = batches.flat();
    expect(queued.map((m) => m.to)).toEqual(notice.recipients);
    for (const batch of batches) expect(bytes(batch)).toBeLessThanOrEqual(MAX_QUEUED_BYTES);
    expect(batches.length).toBeGreaterThan(1);
    expect(queued[0]?.text.startsWith('验证码 482913')).toBe(true);
    expect(queued[0]?.text.length).toBe(MAIL_LIMITS.textChars);
    expect(queued[0]?.flags).toEqual([]);
  });

  it('cuts a text that JSON inflates (control characters) and flags it truncated', async () => {
    const text = `code 482913 ${'\u0001'.repeat(60_000)}`;

    const batches = await queue(`Subject: ctl\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${text}`);

    for (const batch of batches) expect(bytes(batch)).toBeLessThanOrEqual(MAX_QUEUED_BYTES);
    const first = batches.flat()[0];
    expect(first?.text.length).toBeLessThan(text.length);
    expect(first?.text.startsWith('code 482913')).toBe(true);
    expect(first?.flags).toEqual(['truncated']);
  });
});

describe('makeS3BlobStore (GetObject of a byte range)', () => {
  const s3 = mockClient(S3Client);
  const store = makeS3BlobStore(new S3Client({ region: 'eu-west-1' }), {
    bucket: 'raw-mail',
    budget: CALL_BUDGETS.worker,
  });
  beforeEach(() => s3.reset());

  it('asks for a byte range of the key and says when the object is larger', async () => {
    s3.on(GetObjectCommand).resolves({
      // The SDK's streaming body, as far as the adapter reads it.
      Body: { transformToByteArray: async () => new Uint8Array(Buffer.from('hello')) } as never,
      ContentRange: 'bytes 0-4/20',
    });

    const object = await store.get('inbound/abc 1', 5);

    expect(object).toEqual({ body: Buffer.from('hello'), truncated: true });
    expect(s3.commandCalls(GetObjectCommand).map((call) => call.args[0].input)).toEqual([
      { Bucket: 'raw-mail', Key: 'inbound/abc 1', Range: 'bytes=0-4' },
    ]);
  });

  it('answers undefined for a missing object and rethrows any other failure', async () => {
    s3.on(GetObjectCommand).rejects(new NoSuchKey({ message: 'gone', $metadata: {} }));
    expect(await store.get('inbound/x', 10)).toBeUndefined();

    s3.reset();
    s3.on(GetObjectCommand).rejects(new Error('AccessDenied'));
    await expect(store.get('inbound/x', 10)).rejects.toThrow('AccessDenied');
  });
});
