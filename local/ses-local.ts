import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { dirname } from 'node:path';
import * as sesModule from 'aws-ses-v2-local';
import * as sesStore from 'aws-ses-v2-local/dist/store.js';

// A CommonJS module with `exports.default`: reach the function whichever interop the loader applies.
const sesServer = ((sesModule as unknown as { default: { default?: unknown } }).default.default ??
  (sesModule as unknown as { default: unknown }).default) as typeof sesModule.default;

export interface SesLocal {
  url: string;
  stop(): Promise<void>;
  /** Fault runs: the endpoint refuses connections until `resume` (the mail store is kept). */
  pause(): Promise<void>;
  resume(): Promise<void>;
}

/** The emulator's own in-process mail store (it keeps mail in memory only). */
const emails = () =>
  (sesStore as unknown as { getStoreReadonly(): { emails: unknown[] } }).getStoreReadonly().emails;

/**
 * aws-ses-v2-local in this process: the SES v2 API the mailer calls, and a web viewer of every email.
 * With `file`, the mail store survives restarts: loaded at start, written within a second of each
 * new email and at stop.
 */
export async function startSesLocal(port: number, options: { file?: string } = {}): Promise<SesLocal> {
  const { file } = options;
  if (file) {
    // The file is the store: what this process held before is replaced by it.
    (sesStore as unknown as { clearStore(): void }).clearStore();
    if (existsSync(file)) emails().push(...(JSON.parse(readFileSync(file, 'utf8')) as unknown[]));
  }
  let saved = emails().length;
  const save = () => {
    if (!file || emails().length === saved) return;
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(emails()), { mode: 0o600 });
    saved = emails().length;
  };
  const timer = file ? setInterval(save, 1000) : undefined;
  timer?.unref();
  let server: Server | undefined = await sesServer({ host: '127.0.0.1', port });
  const close = () =>
    new Promise<void>((resolve) => {
      const running = server;
      server = undefined;
      if (!running) return resolve();
      running.closeAllConnections();
      running.close(() => resolve());
    });
  return {
    url: `http://localhost:${port}`,
    stop: async () => {
      if (timer) clearInterval(timer);
      save();
      await close();
    },
    pause: close,
    resume: async () => {
      server ??= await sesServer({ host: '127.0.0.1', port });
    },
  };
}

export interface StoredEmail {
  messageId: string;
  from: string;
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { text?: string; html?: string };
  at: number;
}

/** Every email the SES emulator holds (what its viewer shows). */
export async function listSentEmails(sesUrl: string): Promise<StoredEmail[]> {
  const response = await fetch(`${sesUrl}/store`);
  const store = (await response.json()) as { emails: StoredEmail[] };
  return store.emails;
}

/**
 * The emails that match `wanted`, waiting until at least one has arrived: emails leave through the
 * outbox relay after the request that records them has answered, so a client over HTTP polls.
 */
export async function waitForEmails(
  sesUrl: string,
  wanted: (email: StoredEmail) => boolean,
  timeoutMs = 10_000,
): Promise<StoredEmail[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await listSentEmails(sesUrl)).filter(wanted);
    if (found.length > 0 || Date.now() >= deadline) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
