import type { SNSEvent } from 'aws-lambda';
import * as z from 'zod/mini';
import type { InboundMessage } from '../../domain/accounts/ingest';

/** The two-way SMS document End User Messaging publishes (a JSON string in `Sns.Message`). */
const twoWaySms = z.object({
  originationNumber: z.string(),
  destinationNumber: z.string(),
  messageBody: z.string(),
  inboundMessageId: z.string(),
});

/** `+1...` always: the destination is sometimes delivered without its plus sign. */
export function toE164(number: string): string {
  const digits = number.replace(/[^\d+]/g, '');
  return digits.startsWith('+') ? digits : `+${digits}`;
}

/** SNS records -> inbound messages; records that are not two-way SMS come back as `invalid`. */
export function parseInboundSms(event: SNSEvent): { messages: InboundMessage[]; invalid: number } {
  const messages: InboundMessage[] = [];
  let invalid = 0;
  for (const record of event.Records ?? []) {
    let body: unknown;
    try {
      body = JSON.parse(record.Sns?.Message ?? '');
    } catch {
      invalid++;
      continue;
    }
    const parsed = z.safeParse(twoWaySms, body);
    if (!parsed.success) {
      invalid++;
      continue;
    }
    messages.push({
      channel: 'sms',
      naturalId: parsed.data.inboundMessageId,
      from: toE164(parsed.data.originationNumber),
      to: toE164(parsed.data.destinationNumber),
      // SMS bodies are small; anything larger than a long concatenated SMS is cut, not trusted.
      text: parsed.data.messageBody.slice(0, 4096),
      // Inbound SMS can arrive out of order; the SNS timestamp is the only time there is.
      receivedAt: new Date(record.Sns.Timestamp).toISOString(),
    });
  }
  return { messages, invalid };
}
