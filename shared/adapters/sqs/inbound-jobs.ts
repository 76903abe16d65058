import * as z from 'zod/mini';
import type { InboundMessage } from '../../domain/accounts/ingest';

const inboundMessage = z.object({
  channel: z.enum(['sms', 'email']),
  naturalId: z.string().check(z.minLength(1), z.maxLength(512)),
  from: z.string().check(z.maxLength(512)),
  to: z.string().check(z.maxLength(512)),
  subject: z.optional(z.string().check(z.maxLength(2000))),
  text: z.string(),
  html: z.optional(z.string()),
  receivedAt: z.string(),
  flags: z.optional(z.array(z.string())),
});

/** A queued inbound message, or undefined when the body is not one (dropped, never retried). */
export function parseInboundJob(body: string): InboundMessage | undefined {
  try {
    const result = z.safeParse(inboundMessage, JSON.parse(body));
    return result.success ? (result.data as InboundMessage) : undefined;
  } catch {
    return undefined;
  }
}
