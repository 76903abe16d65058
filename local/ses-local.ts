import type { Server } from 'node:http';
import * as sesModule from 'aws-ses-v2-local';

// A CommonJS module with `exports.default`: reach the function whichever interop the loader applies.
const sesServer = ((sesModule as unknown as { default: { default?: unknown } }).default.default ??
  (sesModule as unknown as { default: unknown }).default) as typeof sesModule.default;

export interface SesLocal {
  url: string;
  stop(): Promise<void>;
}

/** aws-ses-v2-local in this process: the SES v2 API the mailer calls, and a web viewer of every email. */
export async function startSesLocal(port: number): Promise<SesLocal> {
  const server: Server = await sesServer({ host: '127.0.0.1', port });
  return {
    url: `http://localhost:${port}`,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
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
