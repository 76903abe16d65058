import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { SNSEvent } from 'aws-lambda';
import { z } from 'zod';
import type { PhoneNumbers } from '../shared/ports';

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
 * The exact event a Lambda subscribed to the two-way SMS topic receives (see
 * `test/fixtures/aws-events/inbound-sms.sns-event.json`): `Sns.Message` is a JSON string.
 */
export function snsSmsEvent(input: z.infer<typeof inboundSmsRequest>, at = new Date()): SNSEvent {
  const inboundMessageId = input.inboundMessageId ?? randomUUID();
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: 'arn:aws:sns:us-east-1:000000000000:latchkey-inbound-sms:local',
        Sns: {
          Type: 'Notification',
          MessageId: randomUUID(),
          TopicArn: 'arn:aws:sns:us-east-1:000000000000:latchkey-inbound-sms',
          Subject: '',
          Message: JSON.stringify({
            originationNumber: input.from,
            destinationNumber: input.to,
            messageKeyword: 'KEYWORD_000000000000',
            messageBody: input.body,
            inboundMessageId,
            previousPublishedMessageId: randomUUID(),
          }),
          Timestamp: at.toISOString(),
          SignatureVersion: '1',
          Signature: 'local',
          SigningCertUrl: 'https://sns.us-east-1.amazonaws.com/local.pem',
          UnsubscribeUrl: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe',
          MessageAttributes: {},
        },
      },
    ],
  };
}

export async function readJson(req: IncomingMessage, limit = 64 * 1024): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null');
  } catch {
    return undefined;
  }
}
