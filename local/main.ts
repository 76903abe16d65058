import { JavaMissingError } from './dynamodb-local';
import { assertPortFree, PortInUseError } from './ports';
import { SECOND_SEED_WORKSPACE, SEED_USERS, SEED_WORKSPACE, seedWorkspaceOf } from './seed';
import { type LocalStack, startLocalStack } from './stack';
import { buildWebApp, startWebServer, type WebServer } from './web-server';

// The SDK warns once per process that releases after January 2027 need Node 22; Lambda runs Node 22.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** `npm start`: the whole stack on this machine. `npm start -- --in-memory` (or LATCHKEY_IN_MEMORY=1) keeps nothing. */

function port(variable: string, fallback: number): number {
  const raw = process.env[variable];
  const value = raw ? Number(raw) : fallback;
  if (!Number.isInteger(value) || value <= 0 || value > 65535) {
    console.error(`${variable} must be a port number, got "${raw}".`);
    process.exit(1);
  }
  return value;
}

const inMemory =
  process.argv.includes('--in-memory') || ['1', 'true'].includes(process.env.LATCHKEY_IN_MEMORY ?? '');
const apiPort = port('PORT', 3000);
const webPort = port('WEB_PORT', 5173);
// Magic links and the app's own links point here; WEB_PORT moves both.
process.env.WEB_BASE_URL ??= `http://localhost:${webPort}`;

let stack: LocalStack;
let web: WebServer;
try {
  await assertPortFree(webPort, 'WEB_PORT', 'web app');
  stack = await startLocalStack({
    apiPort,
    sesPort: port('SES_PORT', 8005),
    dynamodbPort: port('DYNAMODB_PORT', 8000),
    s3Port: port('S3_PORT', 4569),
    dataDir: process.env.LATCHKEY_DATA_DIR ?? '.latchkey',
    inMemory,
  });
  console.log('Building the web app...');
  await buildWebApp();
  web = await startWebServer({ port: webPort, apiUrl: stack.apiUrl });
} catch (error) {
  if (error instanceof PortInUseError || error instanceof JavaMissingError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping DynamoDB Local, the SES emulator, the local S3 and the gateway...`);
  await web.stop();
  await stack.stop();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

const token = await stack.issueToken('alice@acme.example');
const line = '-'.repeat(78);
console.log(`
${line}
 Latchkey local stack is up
${line}
 Web app          ${web.url}   (sign in as a seeded user; ${web.url}/phone plays the phone)
 API              ${stack.apiUrl}
 SES mail viewer  ${stack.sesUrl}   (every email the stack sends)
 Local S3         ${stack.s3Endpoint}   (secrets' attachments; s3rver behind a policy-checking front)
 DynamoDB Local   ${stack.dynamodbEndpoint}   table ${stack.tableName}
 Data             ${stack.dataDir ? `${stack.dataDir} (kept across restarts)` : 'in memory (gone on exit)'}
 Workspace        ${SEED_WORKSPACE}: ${SEED_USERS.filter((u) => seedWorkspaceOf(u) === SEED_WORKSPACE)
   .map((u) => `${u.email} (${u.role})`)
   .join(', ')}
 Workspace        ${SECOND_SEED_WORKSPACE}: ${SEED_USERS.filter(
   (u) => seedWorkspaceOf(u) === SECOND_SEED_WORKSPACE,
 )
   .map((u) => `${u.email} (${u.role})`)
   .join(', ')}

 Try it (a token for alice, valid 12 hours):
   curl -s ${stack.apiUrl}/v1/me -H "Authorization: Bearer ${token}"

 Another user's token:
   curl -s -X POST ${stack.apiUrl}/_local/token -H 'content-type: application/json' -d '{"email":"bob@acme.example"}'

 Ctrl-C stops everything.
${line}
`);
