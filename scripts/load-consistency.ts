import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { deviceKeys } from '../shared/adapters/dynamodb/device-repository';
import { inboxKeys } from '../shared/adapters/dynamodb/inbox-repository';
import { loginKeys } from '../shared/adapters/dynamodb/login-grant-repository';
import { logoutKeys } from '../shared/adapters/dynamodb/logout-repository';
import { notificationKeys } from '../shared/adapters/dynamodb/notification-repository';
import { queryPrefix } from '../shared/adapters/dynamodb/operations';
import { TABLE } from '../shared/config/table';
import { messageId } from '../shared/domain/accounts/ingest';
import { LOGIN_RULES } from '../shared/domain/logins/model';

/**
 * The consistency checks `npm run load` runs after its mix, as functions over the table so a test can
 * prove they catch what they are for (a lost or duplicated message, a code that lives on, a login
 * grant missing from universal logout's ledger, living too long or taking a second code). Each
 * returns the problems it found; an empty list is a pass.
 */
const CODE_LIFETIME_MS = 5 * 60 * 1000;

export interface IssuedCode {
  userId: string;
  deviceId: string;
  issuedAt: number;
  verified: boolean;
}

/** Every accepted inbound SMS (by its natural id) stored exactly once, announced once per member. */
export async function checkInboundMessages(
  doc: DynamoDBDocumentClient,
  tableName: string,
  ledger: { accountId: string; accepted: string[]; members: string[] },
): Promise<string[]> {
  const problems: string[] = [];
  const unique = [...new Set(ledger.accepted)];
  const storedIds = (await storedMessages(doc, tableName, ledger.accountId)).map((item) => String(item.id));
  for (const naturalId of unique) {
    const id = messageId('sms', naturalId);
    const copies = storedIds.filter((stored) => stored === id).length;
    if (copies !== 1) problems.push(`inbound ${naturalId} stored ${copies} times`);
    const claim = await doc.send(
      new GetCommand({ TableName: tableName, Key: inboxKeys.claim(id), ConsistentRead: true }),
    );
    if (claim.Item?.notified !== true) problems.push(`inbound ${naturalId} never marked notified`);
  }
  if (storedIds.length !== unique.length)
    problems.push(`${storedIds.length} messages stored for ${unique.length} accepted`);
  for (const userId of ledger.members) {
    const records = await queryPrefix(doc, tableName, `USER#${userId}`, notificationKeys.notificationPrefix);
    const announced = records
      .filter((r) => r.type === 'otp_code_received')
      .map((r) => (r.data as { messageId: string }).messageId);
    const dup = announced.length - new Set(announced).size;
    if (dup > 0) problems.push(`${dup} duplicate code notifications for ${userId}`);
    const missing = unique.filter((naturalId) => !announced.includes(messageId('sms', naturalId)));
    if (missing.length > 0) problems.push(`${missing.length} code notifications missing for ${userId}`);
  }
  return problems;
}

/** Every issued code consumed (device trusted, code gone) or dead within its lifetime. */
export async function checkIssuedCodes(
  doc: DynamoDBDocumentClient,
  tableName: string,
  issuedCodes: IssuedCode[],
): Promise<string[]> {
  const problems: string[] = [];
  for (const issued of issuedCodes) {
    const { Item } = await doc.send(
      new GetCommand({
        TableName: tableName,
        Key: deviceKeys.device(issued.userId, issued.deviceId),
        ConsistentRead: true,
      }),
    );
    const code = Item?.code as { expiresAt: string; sentAt: string } | undefined;
    if (Item?.status === 'trusted' && code)
      problems.push(`device ${issued.deviceId}: trusted but its code is still stored`);
    if (issued.verified && Item?.status !== 'trusted')
      problems.push(`device ${issued.deviceId}: verified but not trusted`);
    // Each code against its own send time (a slow registration must not look like a long-lived code).
    if (
      code &&
      (Date.parse(code.expiresAt) - Date.parse(code.sentAt) > CODE_LIFETIME_MS ||
        Date.parse(code.sentAt) < issued.issuedAt - 5000)
    ) {
      problems.push(`device ${issued.deviceId}: code lives past its lifetime`);
    }
  }
  return problems;
}

const storedMessages = (doc: DynamoDBDocumentClient, tableName: string, accountId: string) =>
  queryPrefix(doc, tableName, `ACCOUNT#${accountId}`, inboxKeys.prefix);

/**
 * Deliberate damage for proving the check (`LOAD_INJECT=duplicate|lost npm run load` must exit 1):
 * `duplicate` stores a second copy of one accepted message a millisecond later (what a second,
 * undeduplicated delivery would write); `lost` deletes one stored message.
 */
export async function injectFault(
  doc: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  fault: 'duplicate' | 'lost',
): Promise<string> {
  const [victim] = await storedMessages(doc, tableName, accountId);
  if (!victim) throw new Error('no stored message to damage');
  const key = { [TABLE.partitionKey]: victim[TABLE.partitionKey], [TABLE.sortKey]: victim[TABLE.sortKey] };
  if (fault === 'lost') {
    await doc.send(new DeleteCommand({ TableName: tableName, Key: key }));
    return `deleted stored message ${String(victim.id)}`;
  }
  const later = new Date(Date.parse(String(victim.receivedAt)) + 1).toISOString();
  await doc.send(
    new PutCommand({
      TableName: tableName,
      Item: { ...victim, ...inboxKeys.message(accountId, later, String(victim.id)), receivedAt: later },
    }),
  );
  return `stored a second copy of message ${String(victim.id)}`;
}

export interface IssuedGrant {
  grantId: string;
  accountId: string;
  userId: string;
  deviceId: string;
  /** The inbox message whose code the grant's code poll handed over, when the login got that far. */
  codeMessageId?: string;
}

const HOUR_MS = 3_600_000;
const count = <T>(items: T[], keyOf: (item: T) => string) => {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(keyOf(item), (counts.get(keyOf(item)) ?? 0) + 1);
  return counts;
};

/**
 * What the product guarantees of login grants, checked against the table after the load:
 * - every grant the API issued is stored once, for its user, device and account, and nothing in it
 *   is a secret (no JWE, none of `secrets`: the credentials it carried);
 * - its one-time material dies on time: the credentials 60 s after issue, the code poll 5 minutes
 *   after; the record itself is kept for audit with a TTL of at most 90 days;
 * - it was counted once in its user's and its account's hourly counters (the caps), and a refused
 *   grant counted nothing: each counter equals the grants issued in its hour;
 * - each (user, account) that received a grant is in universal logout's grant ledger, recorded by the
 *   first grant (no rotation runs in the load), and the ledger lists no account the user never got;
 * - each inbox code went to one grant, and a grant took at most one code (its own, when it polled).
 */
export async function checkLoginGrants(
  doc: DynamoDBDocumentClient,
  tableName: string,
  ledger: { grants: IssuedGrant[]; users: string[]; accounts: string[]; secrets: string[] },
): Promise<string[]> {
  const problems: string[] = [];
  const get = async (Key: Record<string, unknown>) =>
    (await doc.send(new GetCommand({ TableName: tableName, Key, ConsistentRead: true }))).Item;
  const issuedAt = new Map<string, string>();
  for (const grant of ledger.grants) {
    const item = await get(loginKeys.grant(grant.grantId));
    if (!item) {
      problems.push(`grant ${grant.grantId}: issued but not stored`);
      continue;
    }
    issuedAt.set(grant.grantId, String(item.issuedAt));
    if (
      item.userId !== grant.userId ||
      item.accountId !== grant.accountId ||
      item.deviceId !== grant.deviceId
    )
      problems.push(`grant ${grant.grantId}: stored for another user, account or device`);
    const stored = JSON.stringify(item);
    if ('jwe' in item || ledger.secrets.some((secret) => stored.includes(secret)))
      problems.push(`grant ${grant.grantId}: a secret is stored with the grant`);
    const issued = Date.parse(String(item.issuedAt));
    const lives = (Date.parse(String(item.validUntil)) - issued) / 1000;
    const polls = (Date.parse(String(item.codeUntil)) - issued) / 1000;
    if (!(lives > 0 && lives <= LOGIN_RULES.grantLifetimeSeconds))
      problems.push(
        `grant ${grant.grantId}: credentials live ${lives} s, not ${LOGIN_RULES.grantLifetimeSeconds}`,
      );
    if (!(polls > 0 && polls <= LOGIN_RULES.codeWindowSeconds))
      problems.push(
        `grant ${grant.grantId}: code poll open ${polls} s, not ${LOGIN_RULES.codeWindowSeconds}`,
      );
    const keptUntil = Number(item[TABLE.ttlAttribute]) * 1000;
    if (!(keptUntil <= issued + LOGIN_RULES.recordRetentionDays * 86_400_000 + 1000))
      problems.push(`grant ${grant.grantId}: record kept past ${LOGIN_RULES.recordRetentionDays} days`);
  }

  // Each hourly counter holds exactly the grants issued in its hour (a refused grant writes nothing).
  const stored = ledger.grants.filter((grant) => issuedAt.has(grant.grantId));
  const hourOf = (grant: IssuedGrant) => Math.floor(Date.parse(issuedAt.get(grant.grantId) ?? '') / HOUR_MS);
  const counters = [
    ...[...count(stored, (g) => `${g.userId} ${hourOf(g)}`)].map(([key, n]) => {
      const [userId = '', hour] = key.split(' ');
      return { key: loginKeys.userGrants(userId, Number(hour)), what: `user ${userId}`, n };
    }),
    ...[...count(stored, (g) => `${g.accountId} ${hourOf(g)}`)].map(([key, n]) => {
      const [accountId = '', hour] = key.split(' ');
      return { key: loginKeys.accountGrants(accountId, Number(hour)), what: `account ${accountId}`, n };
    }),
  ];
  for (const counter of counters) {
    const counted = Number((await get(counter.key))?.count ?? 0);
    if (counted !== counter.n)
      problems.push(`${counter.what}: ${counted} grants counted for ${counter.n} issued in the hour`);
  }

  // Universal logout's ledger: each (user, account) granted, from its first grant; nothing else.
  const firstGrant = new Map<string, string>();
  for (const grant of stored) {
    const pair = `${grant.userId} ${grant.accountId}`;
    const at = issuedAt.get(grant.grantId) ?? '';
    if (!firstGrant.has(pair) || at < (firstGrant.get(pair) ?? '')) firstGrant.set(pair, at);
  }
  for (const [pair, first] of firstGrant) {
    const [userId = '', accountId = ''] = pair.split(' ');
    const record = await get(logoutKeys.grantRecord(userId, accountId));
    if (!record)
      problems.push(
        `user ${userId} received grants for ${accountId}; the logout grant ledger does not list it`,
      );
    else if (record.lastGrantAt !== first)
      problems.push(
        `ledger of ${userId} for ${accountId}: ${record.lastGrantAt}, not its first grant ${first}`,
      );
  }
  for (const userId of ledger.users) {
    for (const record of await queryPrefix(doc, tableName, `USER#${userId}`, logoutKeys.grantRecordPrefix)) {
      const accountId = String(record.accountId);
      if (ledger.accounts.includes(accountId) && !firstGrant.has(`${userId} ${accountId}`))
        problems.push(`the logout grant ledger lists ${accountId} for ${userId}, who got no grant for it`);
    }
  }

  // Codes: one message, one grant; one grant, at most one code (the one it was handed).
  const known = new Set(ledger.grants.map((grant) => grant.grantId));
  const claims = [];
  for (const accountId of ledger.accounts)
    claims.push(...(await queryPrefix(doc, tableName, `ACCOUNT#${accountId}`, 'GRANT_CODE#')));
  for (const [grantId, n] of count(claims, (claim) => String(claim.grantId))) {
    if (!known.has(grantId)) problems.push(`a code went to ${grantId}, a grant nobody was issued`);
    if (n > 1) problems.push(`grant ${grantId} took ${n} codes`);
  }
  for (const grant of ledger.grants) {
    if (!grant.codeMessageId) continue;
    const claim = await get(loginKeys.codeClaim(grant.accountId, grant.codeMessageId));
    if (claim?.grantId !== grant.grantId)
      problems.push(`grant ${grant.grantId}: its code's claim names ${String(claim?.grantId)}`);
  }
  return problems;
}

export const GRANT_FAULTS = ['grant-unledgered', 'grant-long-lived', 'grant-code-twice'] as const;
export type GrantFault = (typeof GRANT_FAULTS)[number];

/**
 * Deliberate damage to the grants' records (`LOAD_INJECT=<fault> npm run load` must exit 1):
 * `grant-unledgered` deletes the first grant's (user, account) from universal logout's ledger (a
 * logout would not rotate that password); `grant-long-lived` stretches a grant's credentials to an
 * hour; `grant-code-twice` gives a grant a second inbox code.
 */
export async function injectGrantFault(
  doc: DynamoDBDocumentClient,
  tableName: string,
  grants: IssuedGrant[],
  fault: GrantFault,
): Promise<string> {
  const [victim] = grants;
  if (!victim) throw new Error('no grant to damage');
  if (fault === 'grant-unledgered') {
    await doc.send(
      new DeleteCommand({
        TableName: tableName,
        Key: logoutKeys.grantRecord(victim.userId, victim.accountId),
      }),
    );
    return `deleted the ledger record of ${victim.userId} for ${victim.accountId}`;
  }
  if (fault === 'grant-long-lived') {
    await doc.send(
      new UpdateCommand({
        TableName: tableName,
        Key: loginKeys.grant(victim.grantId),
        UpdateExpression: 'SET #validUntil = :later',
        ExpressionAttributeNames: { '#validUntil': 'validUntil' },
        ExpressionAttributeValues: { ':later': new Date(Date.now() + HOUR_MS).toISOString() },
      }),
    );
    return `grant ${victim.grantId} now lives an hour`;
  }
  await doc.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        ...loginKeys.codeClaim(victim.accountId, `msg_injected_${Date.now()}`),
        [TABLE.entityAttribute]: 'GrantCodeClaim',
        grantId: victim.grantId,
      },
    }),
  );
  return `grant ${victim.grantId} took a second code`;
}
