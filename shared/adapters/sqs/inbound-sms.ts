import type { SQSRecord } from 'aws-lambda';
import * as z from 'zod/mini';
import type { InboundMessage } from '../../domain/accounts/ingest';

/**
 * The two-way SMS document End User Messaging publishes to the SNS topic; the topic delivers it to
 * the inbound SMS queue as it is (raw message delivery), so it is the SQS message body.
 */
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

/** One queued two-way SMS as an inbound message, or undefined when the body is not one. */
export function parseInboundSms(record: SQSRecord): InboundMessage | undefined {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    return undefined;
  }
  const parsed = z.safeParse(twoWaySms, body);
  if (!parsed.success) return undefined;
  // The payload carries no time; SNS delivered it to the queue when it arrived (SQS SentTimestamp).
  const sent = Number(record.attributes.SentTimestamp);
  return {
    channel: 'sms',
    naturalId: parsed.data.inboundMessageId,
    from: toE164(parsed.data.originationNumber),
    to: toE164(parsed.data.destinationNumber),
    // SMS bodies are small; anything larger than a long concatenated SMS is cut, not trusted.
    text: parsed.data.messageBody.slice(0, 4096),
    receivedAt: new Date(Number.isFinite(sent) && sent > 0 ? sent : Date.now()).toISOString(),
  };
}
