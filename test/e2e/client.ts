import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { expect } from 'vitest';
import type { LocalStack } from '../../local/stack';
import { stackDocumentClient } from '../../scripts/stack-client';
import { bootstrapOn } from '../../shared/runtime/bootstrap';

export interface CallOptions {
  token?: string;
  device?: string;
  body?: unknown;
  rawBody?: string;
  type?: string;
  /** An approved identity-confirmation challenge id (`X-Latchkey-Confirmation`). */
  confirmation?: string;
}

/** A tiny HTTP client for the e2e suites: real requests against the local stack. */
export function client(stack: LocalStack) {
  const secrets = new Set<string>();

  async function call(method: string, path: string, options: CallOptions = {}) {
    const body = options.rawBody ?? (options.body !== undefined ? JSON.stringify(options.body) : undefined);
    const response = await fetch(`${stack.apiUrl}${path}`, {
      method,
      headers: {
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...(options.device ? { 'x-latchkey-device': options.device } : {}),
        ...(options.confirmation ? { 'x-latchkey-confirmation': options.confirmation } : {}),
        ...(body !== undefined ? { 'content-type': options.type ?? 'application/json' } : {}),
      },
      ...(body !== undefined ? { body } : {}),
    });
    const text = await response.text();
    // biome-ignore lint/suspicious/noExplicitAny: test responses are asserted field by field
    const json: any = text ? JSON.parse(text) : undefined;
    return { status: response.status, body: json, headers: response.headers };
  }

  async function token(email: string, workspace?: string): Promise<string> {
    const response = await call('POST', '/_local/token', {
      body: { email, ...(workspace ? { workspace } : {}) },
    });
    expect(response.status).toBe(200);
    secrets.add(response.body.token);
    return response.body.token as string;
  }

  /** The newest code emailed to `to` since `since` (epoch seconds), read back from the SES emulator. */
  async function emailedCode(to: string, since = 0): Promise<string> {
    const emails = (await stack.sentEmails()).filter(
      (email) => email.destination.to.includes(to) && email.at >= since && /code/i.test(email.subject),
    );
    const text = emails.at(-1)?.body.text ?? '';
    const code = /code is (\d{6})/.exec(text)?.[1];
    expect(code, `no code emailed to ${to}`).toBeDefined();
    secrets.add(code as string);
    return code as string;
  }

  /**
   * Bootstraps a workspace the way `npm run bootstrap` does (no sign-in creates one): `ownerEmail`'s
   * first sign-in is its owner, and just-in-time users from `jitDomains` (default acme.example, where
   * the suites' users live) may join. Returns the workspace name for `token(email, workspace)`.
   */
  async function bootstrap(workspace: string, ownerEmail: string, jitDomains: string[] = ['acme.example']) {
    await bootstrapOn(
      stackDocumentClient(stack),
      stack.tableName,
    )({
      workspaceName: workspace,
      ownerEmail,
      jitEmailDomains: jitDomains,
    });
    return workspace;
  }

  return { call, token, emailedCode, secrets, bootstrap };
}

/** Every item in the stack's table, as one JSON string: what a secret scan searches. */
export async function storedItems(stack: LocalStack): Promise<string> {
  const doc = stackDocumentClient(stack);
  const items: unknown[] = [];
  let cursor: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(new ScanCommand({ TableName: stack.tableName, ExclusiveStartKey: cursor }));
    items.push(...(page.Items ?? []));
    cursor = page.LastEvaluatedKey;
  } while (cursor);
  return JSON.stringify(items);
}

/**
 * Whether a secret stands in a text as a whole token (not inside a longer id, digest or timestamp):
 * a 6-digit code is found where it was stored, never by chance inside another number.
 */
export function appears(value: string, haystack: string): boolean {
  return new RegExp(
    `(?<![0-9A-Za-z_-])${value.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')}(?![0-9A-Za-z_-])`,
  ).test(haystack);
}
