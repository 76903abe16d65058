import { randomUUID } from 'node:crypto';
import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { LOCAL_AWS } from '../../local/dynamodb-local';
import { makeDocumentClient } from '../../shared/adapters/dynamodb/client';
import { makeDirectoryRepository } from '../../shared/adapters/dynamodb/directory-repository';
import { makeDirectorySettingsStore } from '../../shared/adapters/dynamodb/directory-settings';
import { newId } from '../../shared/adapters/ids';
import { directorySettingsOf } from '../../shared/domain/directory/settings';
import type { PushJob, UserRepository } from '../../shared/domain/ports';
import type { CallerIdentity, Workspace, WorkspaceRole } from '../../shared/domain/users/model';
import { fixedClock } from '../support/fakes';

/**
 * The integration tests' table on DynamoDB Local. Refuses anything that is not a loopback endpoint,
 * so no test can ever write to real AWS.
 */
export function localTable() {
  const endpoint = inject('dynamodbEndpoint');
  const host = new URL(endpoint).hostname;
  if (!['127.0.0.1', 'localhost', '::1'].includes(host)) {
    throw new Error(`integration tests only run against DynamoDB Local, not ${endpoint}`);
  }
  process.env.AWS_ACCESS_KEY_ID = LOCAL_AWS.credentials.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = LOCAL_AWS.credentials.secretAccessKey;
  const doc = makeDocumentClient({ region: LOCAL_AWS.region, endpoint });
  return { doc, tableName: inject('tableName') };
}

/** Unique per test, so tests never share ids and can run in any order. */
export const unique = (label: string) => `${label}-${randomUUID().slice(0, 8)}`;

/**
 * A fixture user signed in to `workspace` as before bootstrap existed: the first user of a new
 * workspace owns it (the workspace gets no directory settings, like one created before them).
 */
export async function signedIn(users: UserRepository, identity: CallerIdentity) {
  return (
    await users.provision({
      identity,
      userId: newId('usr'),
      newWorkspaceId: newId('ws'),
      role: 'user',
      now: new Date(),
    })
  ).user;
}

/** What resolveCaller needs on DynamoDB Local: the repositories of the sign-in path. */
export function callerDeps(doc: DynamoDBDocumentClient, tableName: string, users: UserRepository) {
  const settings = makeDirectorySettingsStore(doc, tableName);
  const clock = fixedClock();
  return {
    users,
    clock,
    newId,
    link: makeDirectoryRepository(doc, tableName).linkIdentity,
    directorySettings: (workspace: Workspace) => directorySettingsOf(workspace.id, { settings, clock }),
  };
}

/** A user of `workspace` with `role` (the workspace's first user owns it; later ones are provisioned). */
export async function workspaceMember(
  users: UserRepository,
  workspace: string,
  role: WorkspaceRole = 'user',
) {
  const identity = {
    issuer: 'https://idp.test',
    subject: unique('sub'),
    email: `${unique('u')}@acme.example`,
    name: 'M',
    workspaceName: workspace,
  };
  const user = await signedIn(users, identity);
  if (role === user.workspaceRole) return user;
  return (
    await users.provision({
      identity: { ...identity, subject: unique('sub') },
      userId: newId('usr'),
      newWorkspaceId: newId('ws'),
      role,
      now: new Date(),
    })
  ).user;
}

/** The push jobs in the table's outbox for one user (what the relay will send to the push queue). */
export async function outboxJobsOf(
  doc: DynamoDBDocumentClient,
  tableName: string,
  userId: string,
): Promise<PushJob[]> {
  const { Items = [] } = await doc.send(
    new ScanCommand({
      TableName: tableName,
      FilterExpression: '#entity = :outbox AND #event.#type = :push',
      ExpressionAttributeNames: { '#entity': 'entity', '#event': 'event', '#type': 'type' },
      ExpressionAttributeValues: { ':outbox': 'outbox_event', ':push': 'push.job' },
      ConsistentRead: true,
    }),
  );
  return Items.flatMap((item) =>
    (item.event.detail.jobs as PushJob[]).filter((job) => job.userId === userId),
  ).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

/** The DynamoDB commands `run` sends through `doc`, in order. */
export async function commandsOf(
  doc: DynamoDBDocumentClient,
  run: () => Promise<unknown>,
): Promise<string[]> {
  const seen: string[] = [];
  const name = `count-${unique('m')}`;
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      seen.push(context.commandName ?? 'unknown');
      return next(args);
    },
    { step: 'initialize', name },
  );
  try {
    await run();
  } finally {
    doc.middlewareStack.remove(name);
  }
  return seen;
}
