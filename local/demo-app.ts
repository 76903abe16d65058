import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { verify } from 'otplib';
import * as z from 'zod';
import { readJson } from './messaging-simulator';

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

  const hash = (password: string, salt = randomBytes(16)) => ({ salt, hash: scryptSync(password, salt, 32) });
  const matches = (user: DemoUser, password: string) =>
    timingSafeEqual(scryptSync(password, user.salt, 32), user.hash);

  /** Applies the fault to a change: true when the request must fail now (500), before or after applying. */
  const faultFor = (): DemoFault => {
    const mode = fault.mode;
    if (mode === 'fail_once' || mode === 'accept_then_timeout') fault = { ...fault, mode: 'none' };
    return mode;
  };

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
      if (req.method !== 'POST') return json(404, { error: 'not_found', message: 'No such demo app route.' });
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
