import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { SESEvent, SQSEvent } from 'aws-lambda';
import { z } from 'zod';
import type { BlobStore, PhoneNumbers } from '../shared/domain/ports';

/** Managed numbers, simulated: handed out from the 555 range, which never reaches a real phone. */
export function createPhoneNumberSimulator() {
  let next = 100;
  const active = new Map<string, string>();
  const phoneNumbers: PhoneNumbers = {
    async request(_type, accountId) {
      const phoneNumber = `+1555010${String(next++).padStart(4, '0')}`;
      const phoneNumberId = `phone-${randomUUID()}`;
      active.set(phoneNumberId, `${phoneNumber} ${accountId}`);
      return { phoneNumber, phoneNumberId };
    },
    async release(phoneNumberId) {
      active.delete(phoneNumberId);
    },
  };
  return { phoneNumbers, active };
}

export const inboundSmsRequest = z.strictObject({
  from: z.string().min(3).max(20),
  to: z.string().min(3).max(20),
  body: z.string().max(4096),
  /** Send the same id again to replay a delivery, as SNS does on retries. */
  inboundMessageId: z.string().min(1).max(100).optional(),
});

/**
 * The two-way SMS document End User Messaging publishes to the topic, which the topic delivers as it
 * is (raw message delivery) to the inbound SMS queue: the SQS message body (see
 * `test/fixtures/aws-events/inbound-sms.sqs-raw-event.json`).
 */
export function twoWaySmsPayload(input: z.infer<typeof inboundSmsRequest>) {
  return {
    originationNumber: input.from,
    destinationNumber: input.to,
    messageKeyword: 'KEYWORD_000000000000',
    messageBody: input.body,
    inboundMessageId: input.inboundMessageId ?? randomUUID(),
    previousPublishedMessageId: randomUUID(),
  };
}

/** The SQS event the inbound SMS function receives for one message (benchmarks invoke it directly). */
export function sqsSmsEvent(input: z.infer<typeof inboundSmsRequest>, at = new Date()): SQSEvent {
  const messageId = randomUUID();
  return {
    Records: [
      {
        messageId,
        receiptHandle: messageId,
        body: JSON.stringify(twoWaySmsPayload(input)),
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: String(at.getTime()),
          SenderId: 'local',
          ApproximateFirstReceiveTimestamp: String(at.getTime()),
        },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:latchkey-local-inbound-sms',
        awsRegion: 'us-east-1',
      },
    ],
  };
}

/** A request body as text, or undefined once it passes `limit` bytes. */
export async function readText(req: IncomingMessage, limit = 64 * 1024): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function readJson(req: IncomingMessage, limit = 64 * 1024): Promise<unknown> {
  const text = await readText(req, limit);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text || 'null');
  } catch {
    return undefined;
  }
}

/** Raw inbound mail, stored as the SES S3 action would (key = prefix + SES message id). */
export function createBlobStore() {
  const objects = new Map<string, Buffer>();
  const blobStore: BlobStore = {
    async get(key, maxBytes) {
      const body = objects.get(key);
      if (!body) return undefined;
      return { body: body.subarray(0, maxBytes), truncated: body.length > maxBytes };
    },
  };
  return { blobStore, objects };
}

export const inboundEmailRequest = z.strictObject({
  from: z.string().min(3).max(320),
  to: z.string().email(),
  subject: z.string().max(998).optional(),
  text: z
    .string()
    .max(1024 * 1024)
    .optional(),
  html: z
    .string()
    .max(1024 * 1024)
    .optional(),
  /** Send the same id again to replay a delivery. */
  messageId: z
    .string()
    .regex(/^[\w.-]{1,100}$/)
    .optional(),
  spam: z.boolean().optional(),
  virus: z.boolean().optional(),
});

/** A plain RFC 5322 message (multipart/alternative when there is HTML), for the JSON form. */
export function composeMime(input: z.infer<typeof inboundEmailRequest>, messageId: string): Buffer {
  const headers = [
    `From: ${input.from}`,
    `To: ${input.to}`,
    `Subject: ${input.subject ?? ''}`,
    `Message-ID: <${messageId}@local.latchkey>`,
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
  ];
  if (!input.html) {
    return Buffer.from(
      [
        ...headers,
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: 8bit',
        '',
        input.text ?? '',
      ].join('\r\n'),
    );
  }
  const boundary = `b-${randomUUID()}`;
  return Buffer.from(
    [
      ...headers,
      `Content-Type: multipart/alternative; boundary="${boundary}"`,
      '',
      `--${boundary}`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      input.text ?? '',
      `--${boundary}`,
      'Content-Type: text/html; charset=utf-8',
      '',
      input.html,
      `--${boundary}--`,
      '',
    ].join('\r\n'),
  );
}

/** The SES receipt-rule Lambda event (see `test/fixtures/aws-events/inbound-email.ses-lambda-event.json`). */
export function sesReceiptEvent(input: {
  messageId: string;
  from: string;
  to: string;
  subject?: string | undefined;
  spam?: boolean | undefined;
  virus?: boolean | undefined;
}): SESEvent {
  const at = new Date().toISOString();
  const verdict = (fail?: boolean) => ({ status: fail ? 'FAIL' : 'PASS' });
  return {
    Records: [
      {
        eventSource: 'aws:ses',
        eventVersion: '1.0',
        ses: {
          mail: {
            timestamp: at,
            source: input.from,
            messageId: input.messageId,
            destination: [input.to],
            headersTruncated: false,
            headers: [
              { name: 'From', value: input.from },
              { name: 'To', value: input.to },
              { name: 'Subject', value: input.subject ?? '' },
            ],
            commonHeaders: {
              returnPath: input.from,
              from: [input.from],
              date: new Date().toUTCString(),
              to: [input.to],
              messageId: `<${input.messageId}@local.latchkey>`,
              subject: input.subject ?? '',
            },
          },
          receipt: {
            timestamp: at,
            processingTimeMillis: 5,
            recipients: [input.to],
            spamVerdict: verdict(input.spam),
            virusVerdict: verdict(input.virus),
            spfVerdict: { status: 'PASS' },
            dkimVerdict: { status: 'PASS' },
            dmarcVerdict: { status: 'PASS' },
            action: {
              type: 'Lambda',
              functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:inbound-email',
              invocationType: 'Event',
            },
          },
        },
      },
    ],
  } as unknown as SESEvent;
}
