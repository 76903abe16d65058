import { randomUUID } from 'node:crypto';
import * as z from 'zod/mini';
import type { WebhookChange, WebhookEndpoint } from '../../domain/rotation/connector';
import { ConnectorError } from '../../domain/rotation/errors';
import { stripUnsafeText } from '../../domain/text/sanitize';
import type { SafeResponse } from './safe-http';
import { signedHeaders } from './webhook-signature';

/** What the endpoint answers (HTTP 2xx, JSON); anything else is a failed attempt. */
export const webhookAnswer = z.object({
  status: z.enum(['succeeded', 'failed', 'retry_later']),
  /** Why, in words; shown to owners in the rotation record (sanitized, cut to 200 characters). */
  reason: z.optional(z.string()),
});
export type WebhookAnswer = z.infer<typeof webhookAnswer>;

export const WEBHOOK_EVENT_TYPES = ['password.change', 'password.check'] as const;

export interface WebhookEndpointConfig {
  url: string;
  secret: string;
  post(url: string, headers: Record<string, string>, body: string): Promise<SafeResponse>;
  now(): Date;
}

/** The endpoint's own words, made safe for the rotation record and the owners' email. */
function said(answer: WebhookAnswer): string {
  return answer.reason ? `: ${stripUnsafeText(answer.reason).text.slice(0, 200)}` : '';
}

/**
 * The webhook connector's client: each call is one signed message (a fresh `webhook-id`, the current
 * timestamp) whose body carries the event; the passwords of a change travel only in that body, over
 * TLS, and are never logged. The rotation id in `data` is the idempotency key a receiver should use.
 */
export function makeWebhookEndpoint(config: WebhookEndpointConfig): WebhookEndpoint {
  const send = async (type: (typeof WEBHOOK_EVENT_TYPES)[number], data: Record<string, unknown>) => {
    const id = `msg_${randomUUID().replaceAll('-', '')}`;
    const timestamp = Math.floor(config.now().getTime() / 1000);
    const body = JSON.stringify({ type, id, timestamp, data });
    const response = await config.post(config.url, signedHeaders(config.secret, id, timestamp, body), body);
    if (response.status < 200 || response.status > 299) {
      throw new ConnectorError(`the webhook answered HTTP ${response.status}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(response.body);
    } catch {
      throw new ConnectorError('the webhook’s answer is not JSON');
    }
    const parsed = webhookAnswer.safeParse(json);
    if (!parsed.success) throw new ConnectorError('the webhook’s answer does not match the schema');
    return parsed.data;
  };
  return {
    async changePassword(input: WebhookChange) {
      const answer = await send('password.change', { ...input });
      if (answer.status === 'succeeded') return { ok: true };
      if (answer.status === 'retry_later')
        return { ok: false, detail: `the endpoint asked to retry later${said(answer)}` };
      return { ok: false, final: true, detail: `the endpoint refused the change${said(answer)}` };
    },
    async holdsVersion(input) {
      return (await send('password.check', { ...input })).status === 'succeeded';
    },
  };
}
