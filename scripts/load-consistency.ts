import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { deviceKeys } from '../shared/adapters/dynamodb/device-repository';
import { inboxKeys } from '../shared/adapters/dynamodb/inbox-repository';
import { notificationKeys } from '../shared/adapters/dynamodb/notification-repository';
import { queryPrefix } from '../shared/adapters/dynamodb/operations';
import { TABLE } from '../shared/config/table';
import { messageId } from '../shared/domain/accounts/ingest';

/**
 * The consistency checks `npm run load` runs after its mix, as functions over the table so a test can
 * prove they catch what they are for (a lost or duplicated message, a code that lives on). Each
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
