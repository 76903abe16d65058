import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { verify } from 'otplib';
import * as z from 'zod';
import { verifyWebhook } from '../shared/adapters/connectors/webhook-signature';
import { readJson, readText } from './messaging-simulator';

/** What `POST /_local/apps/demo/faults` can make the demo app do to its next changes. */
export const DEMO_FAULTS = ['none', 'fail_once', 'fail_always', 'accept_then_timeout'] as const;
export type DemoFault = (typeof DEMO_FAULTS)[number];

const text = z.string().min(1).max(1024);
const userBody = z.strictObject({ username: text, password: text });
const loginBody = z.strictObject({ username: text, password: text, totp: z.optional(z.string().max(10)) });
const changeBody = z.strictObject({ username: text, currentPassword: text, newPassword: text });
const totpBody = z.strictObject({
  username: text,
  password: text,
  secret: z.string().min(16).max(128),
  code: z.string().max(10),
});
const faultBody = z.strictObject({
  mode: z.enum(DEMO_FAULTS),
  /** accept_then_timeout: how long the app sits on the answer (default 60 s; the stack's stop cuts it). */
  hangMs: z.optional(z.number().int().min(0).max(600_000)),
});

const webhookSecretBody = z.strictObject({ secret: z.string().regex(/^whsec_[A-Za-z0-9+/=]{20,}$/) });
const webhookEvent = z.object({
  type: z.enum(['password.change', 'password.check']),
  id: z.string(),
  data: z.object({
    rotationId: z.optional(z.string()),
    username: text,
    version: z.number().int(),
    currentPassword: z.optional(text),
    newPassword: z.optional(text),
  }),
});

/** What the demo endpoint saw: ids and outcomes only (never a password). */
export interface DemoWebhookDelivery {
  id: string | undefined;
  type: string | undefined;
  verified: boolean;
  /** Why it was rejected (`bad_signature`, `stale_timestamp`, `replayed`...) or what it answered. */
  outcome: string;
}

interface DemoUser {
  salt: Buffer;
  hash: Buffer;
  totpSecret?: string;
}

/**
 * The demo app: a stand-in third-party service with its own users, served by the local gateway under
 * `/_local/apps/demo`. It keeps only scrypt hashes of its users' passwords (in memory), like a real
 * service would; its change-password and TOTP-enrolment endpoints are what the `demo` connector drives,
 * and its faults show every failure path of a rotation.
 */
export function createDemoApp() {
  const users = new Map<string, DemoUser>();
  let fault: { mode: DemoFault; hangMs: number } = { mode: 'none', hangMs: 60_000 };
  const hung = new Set<NodeJS.Timeout>();
  /** The webhook receiver: the secret an admin pasted in, the ids seen, what was applied per user. */
  let webhookSecret: string | undefined;
  const seenIds = new Set<string>();
  const deliveries: DemoWebhookDelivery[] = [];
  const applied = new Map<string, { rotationId: string | undefined; version: number }>();

  const hash = (password: string, salt = randomBytes(16)) => ({ salt, hash: scryptSync(password, salt, 32) });
  const matches = (user: DemoUser, password: string) =>
    timingSafeEqual(scryptSync(password, user.salt, 32), user.hash);

  /** Applies the fault to a change: true when the request must fail now (500), before or after applying. */
  const faultFor = (): DemoFault => {
    const mode = fault.mode;
    if (mode === 'fail_once' || mode === 'accept_then_timeout') fault = { ...fault, mode: 'none' };
    return mode;
  };

  /**
   * The demo app as a webhook connector endpoint, the way docs/rotation.md tells a customer to build
   * one: verify the signature (timestamp window, replayed ids), then apply the change idempotently
   * per rotation, and answer {status}.
   */
  async function receiveWebhook(
    req: IncomingMessage,
    json: (status: number, body: unknown) => boolean,
  ): Promise<boolean> {
    const raw = await readText(req);
    const headerOf = (name: string) => req.headers[name] as string | undefined;
    const note = (delivery: DemoWebhookDelivery) => deliveries.push(delivery) && undefined;
    if (!webhookSecret || raw === undefined) {
      note({ id: headerOf('webhook-id'), type: undefined, verified: false, outcome: 'not_configured' });
      return json(401, { error: 'not_configured' });
    }
    const checked = verifyWebhook({
      secret: webhookSecret,
      headers: req.headers,
      body: raw,
      nowSeconds: Math.floor(Date.now() / 1000),
      seen: (id) => {
        if (seenIds.has(id)) return true;
        seenIds.add(id);
        return false;
      },
    });
    if (!checked.ok) {
      note({ id: headerOf('webhook-id'), type: undefined, verified: false, outcome: checked.reason });
      return json(401, { error: checked.reason });
    }
    const event = webhookEvent.safeParse(JSON.parse(raw));
    if (!event.success) {
      note({ id: checked.id, type: undefined, verified: true, outcome: 'invalid_event' });
      return json(400, { error: 'invalid_event' });
    }
    const { type, data } = event.data;
    const answer = (status: 'succeeded' | 'failed' | 'retry_later', reason?: string) => {
      note({ id: checked.id, type, verified: true, outcome: status });
      return json(200, { status, ...(reason ? { reason } : {}) });
    };
    const user = users.get(data.username);
    const done = applied.get(data.username);
    const already = done?.version === data.version && done.rotationId === data.rotationId;
    if (type === 'password.check') return answer(already ? 'succeeded' : 'failed');
    if (already) return answer('succeeded');
    if (!user) return answer('failed', 'no such user at the demo app');
    if (!data.currentPassword || !data.newPassword || !matches(user, data.currentPassword)) {
      return answer('failed', 'the current password does not match');
    }
    const mode = faultFor();
    if (mode === 'fail_once' || mode === 'fail_always')
      return answer('retry_later', 'the demo app is busy (fault)');
    users.set(data.username, { ...user, ...hash(data.newPassword) });
    applied.set(data.username, { rotationId: data.rotationId, version: data.version });
    return answer('succeeded');
  }

  return {
    async handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
      if (!path.startsWith('/_local/apps/demo/')) return false;
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify(body));
        return true;
      };
      const route = `${req.method} ${path.slice('/_local/apps/demo'.length)}`;
      if (route === 'GET /faults') return json(200, { mode: fault.mode });
      if (route === 'GET /webhook/deliveries') return json(200, { items: deliveries });
      if (req.method !== 'POST') return json(404, { error: 'not_found', message: 'No such demo app route.' });
      if (route === 'POST /webhook') return receiveWebhook(req, json);
      const input = await readJson(req);
      const invalid = (message: string) => json(400, { error: 'validation_failed', message });
      const change = async (apply: () => void) => {
        const mode = faultFor();
        if (mode === 'fail_once' || mode === 'fail_always') {
          return json(500, { error: 'temporarily_unavailable', message: 'The demo app failed (fault).' });
        }
        apply();
        if (mode === 'accept_then_timeout') {
          // The change is applied; the answer never comes within any sane time box.
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, fault.hangMs);
            hung.add(timer);
            res.once('close', () => {
              clearTimeout(timer);
              hung.delete(timer);
              resolve();
            });
          });
          if (res.writableEnded || res.destroyed) return true;
        }
        return json(200, { changed: true });
      };
      switch (route) {
        case 'POST /users': {
          const body = userBody.safeParse(input);
          if (!body.success) return invalid('Send {username, password}.');
          if (users.has(body.data.username)) return json(409, { error: 'user_exists' });
          users.set(body.data.username, hash(body.data.password));
          return json(201, { username: body.data.username });
        }
        case 'POST /login': {
          const body = loginBody.safeParse(input);
          if (!body.success) return invalid('Send {username, password, totp?}.');
          const user = users.get(body.data.username);
          if (!user || !matches(user, body.data.password)) return json(401, { error: 'invalid_credentials' });
          if (user.totpSecret) {
            if (!body.data.totp) return json(401, { error: 'totp_required' });
            const checked = await verify({
              secret: user.totpSecret,
              token: body.data.totp,
              epochTolerance: 30,
            });
            if (!checked.valid) return json(401, { error: 'invalid_totp' });
          }
          return json(200, { ok: true });
        }
        case 'POST /change-password': {
          const body = changeBody.safeParse(input);
          if (!body.success) return invalid('Send {username, currentPassword, newPassword}.');
          const user = users.get(body.data.username);
          if (!user || !matches(user, body.data.currentPassword))
            return json(401, { error: 'invalid_credentials' });
          return change(() => users.set(body.data.username, { ...user, ...hash(body.data.newPassword) }));
        }
        case 'POST /totp': {
          const body = totpBody.safeParse(input);
          if (!body.success) return invalid('Send {username, password, secret, code}.');
          const user = users.get(body.data.username);
          if (!user || !matches(user, body.data.password)) return json(401, { error: 'invalid_credentials' });
          const checked = await verify({
            secret: body.data.secret,
            token: body.data.code,
            epochTolerance: 30,
          });
          if (!checked.valid) return json(400, { error: 'invalid_totp' });
          return change(() => users.set(body.data.username, { ...user, totpSecret: body.data.secret }));
        }
        case 'POST /webhook/secret': {
          const body = webhookSecretBody.safeParse(input);
          if (!body.success) return invalid('Send {secret: "whsec_..."}.');
          webhookSecret = body.data.secret;
          return json(200, { configured: true });
        }
        case 'POST /faults': {
          const body = faultBody.safeParse(input);
          if (!body.success) return invalid(`Send {mode: ${DEMO_FAULTS.join(' | ')}, hangMs?}.`);
          fault = { mode: body.data.mode, hangMs: body.data.hangMs ?? 60_000 };
          return json(200, { mode: fault.mode });
        }
        default:
          return json(404, { error: 'not_found', message: 'No such demo app route.' });
      }
    },
    stop() {
      for (const timer of hung) clearTimeout(timer);
      hung.clear();
    },
  };
}
