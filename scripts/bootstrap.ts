// `npm run bootstrap -- --workspace acme --owner-email alice@acme.example [--jit-domain acme.example]...
//   [--local | --table NAME [--region R]]`
// Creates a workspace (closed, or open to just-in-time users from the given domains) with its first owner,
// or names a new owner of an existing workspace (say, after the IdP deprovisioned the last one). The owner's
// first sign-in with that verified email becomes the owner user. `--local` targets the DynamoDB Local of
// `npm start` (DYNAMODB_PORT, default 8000); otherwise TABLE_NAME (or --table) with the usual AWS credentials.

import { parseArgs } from 'node:util';
import { LOCAL_AWS } from '../local/dynamodb-local';
import { LOCAL_TABLE_NAME } from '../local/stack';
import { makeDocumentClient } from '../shared/adapters/dynamodb/client';
import { bootstrapOn } from '../shared/runtime/bootstrap';

export class UsageError extends Error {}

export function parseBootstrapArgs(argv: string[], env: NodeJS.ProcessEnv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      workspace: { type: 'string' },
      'owner-email': { type: 'string' },
      'jit-domain': { type: 'string', multiple: true },
      local: { type: 'boolean' },
      table: { type: 'string' },
      region: { type: 'string' },
    },
  });
  if (!values.workspace || !values['owner-email']) {
    throw new UsageError('Give --workspace NAME and --owner-email EMAIL (and --local, or --table NAME).');
  }
  const tableName = values.local ? LOCAL_TABLE_NAME : (values.table ?? env.TABLE_NAME);
  if (!tableName) throw new UsageError('Give --local, or --table NAME (or set TABLE_NAME).');
  return {
    input: {
      workspaceName: values.workspace,
      ownerEmail: values['owner-email'],
      jitEmailDomains: values['jit-domain'] ?? [],
    },
    tableName,
    dynamo: values.local
      ? { region: LOCAL_AWS.region, endpoint: `http://127.0.0.1:${env.DYNAMODB_PORT ?? 8000}` }
      : values.region
        ? { region: values.region }
        : {},
    local: values.local === true,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    const parsed = parseBootstrapArgs(process.argv.slice(2), process.env);
    if (parsed.local) {
      process.env.AWS_ACCESS_KEY_ID ??= LOCAL_AWS.credentials.accessKeyId;
      process.env.AWS_SECRET_ACCESS_KEY ??= LOCAL_AWS.credentials.secretAccessKey;
    }
    const result = await bootstrapOn(makeDocumentClient(parsed.dynamo), parsed.tableName)(parsed.input);
    console.log(
      JSON.stringify(
        { workspace: result.workspace, owner: result.owner.email, outcome: result.outcome },
        null,
        2,
      ),
    );
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(error instanceof UsageError ? 2 : 1);
  }
}
