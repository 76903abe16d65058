// `npm run --silent api -- <routeId> [--params JSON] [--query JSON] [--body JSON] [--as EMAIL]`: calls one
// route of the manifest by id through the typed client and prints the JSON answer. Against the local
// stack by default (LATCHKEY_API, default http://localhost:3000); `--as` fetches a dev IdP token for that
// email, else LATCHKEY_TOKEN is the bearer token; LATCHKEY_DEVICE is the device credential.
// Example: npm run --silent api -- getMe --as bob@acme.example

import { parseArgs } from 'node:util';
import { ApiError, type Client, createClient } from '../shared/http/client';
import { type RouteId, routes } from '../shared/http/routes';

export class UsageError extends Error {}

function json(flag: string, raw: string | undefined): unknown {
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    throw new UsageError(`--${flag} must be JSON, got ${raw}`);
  }
}

export interface ApiCommand {
  id: RouteId;
  input: { params?: unknown; query?: unknown; body?: unknown };
  as?: string;
}

export function parseCommand(argv: string[]): ApiCommand {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      params: { type: 'string' },
      query: { type: 'string' },
      body: { type: 'string' },
      as: { type: 'string' },
    },
  });
  const id = positionals[0];
  if (!id || !Object.hasOwn(routes, id)) {
    throw new UsageError(`Give a route id, one of: ${Object.keys(routes).join(', ')}`);
  }
  const input = {
    ...(values.params ? { params: json('params', values.params) } : {}),
    ...(values.query ? { query: json('query', values.query) } : {}),
    ...(values.body ? { body: json('body', values.body) } : {}),
  };
  return { id: id as RouteId, input, ...(values.as ? { as: values.as } : {}) };
}

export async function run(command: ApiCommand, baseUrl: string, env: NodeJS.ProcessEnv): Promise<unknown> {
  let token = env.LATCHKEY_TOKEN;
  if (command.as) {
    const issued = await fetch(`${baseUrl}/_local/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: command.as }),
    });
    token = ((await issued.json()) as { token?: string }).token;
  }
  const client: Client = createClient({
    baseUrl,
    headers: () => ({
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(env.LATCHKEY_DEVICE ? { 'x-latchkey-device': env.LATCHKEY_DEVICE } : {}),
    }),
  });
  // The id and input come from the command line: the manifest checks them at run time instead.
  return (client.call as (id: RouteId, input: unknown) => Promise<unknown>)(command.id, command.input);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    const answer = await run(
      parseCommand(process.argv.slice(2)),
      process.env.LATCHKEY_API ?? 'http://localhost:3000',
      process.env,
    );
    console.log(JSON.stringify(answer, null, 2));
  } catch (error) {
    if (error instanceof ApiError)
      console.error(JSON.stringify({ status: error.status, ...error.body }, null, 2));
    else console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  }
}
