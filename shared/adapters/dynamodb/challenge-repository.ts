import { createHash } from 'node:crypto';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { TABLE } from '../../config/table';
import type { DomainEvent } from '../../domain/events';
import {
  type Challenge,
  CONFIRMATION_METHODS,
  IDENTITY_RULES,
  type IdentitySettings,
  type MagicLink,
} from '../../domain/identity/model';
import type { ChallengeRepository, ChallengeWriteOutcome } from '../../domain/identity/ports';
import type { User } from '../../domain/users/model';
import { cancellationCodes, itemIsNew } from './conditions';
import {
  hourlyCount,
  queryAll,
  queryPrefix,
  type UpdateInput,
  conditionalUpdate as update,
} from './operations';
import { outboxPut } from './outbox';
import { userItem } from './user-repository';

const PK = TABLE.partitionKey;
const SK = TABLE.sortKey;

/** Key builders for identity confirmation. Challenges live in the user's partition. */
export const identityKeys = {
  challenge: (userId: string, id: string) => ({ [PK]: `USER#${userId}`, [SK]: `IDCHALLENGE#${id}` }),
  challengePrefix: 'IDCHALLENGE#',
  /** One live challenge per (device, action, resource): hashed, so any resource string fits a key. */
  open: (userId: string, deviceId: string, action: string, resource: string) => ({
    [PK]: `USER#${userId}`,
    [SK]: `IDCHALLENGE_OPEN#${createHash('sha256').update(`${deviceId}\n${action}\n${resource}`).digest('hex')}`,
  }),
  /** Challenges opened in one clock hour (fixed window), for the per-user hourly cap. */
  count: (userId: string, hour: number) => ({ [PK]: `USER#${userId}`, [SK]: `IDCHALLENGE_COUNT#${hour}` }),
  pushBlock: (userId: string) => ({ [PK]: `USER#${userId}`, [SK]: 'IDCONFIRM_PUSH_BLOCK' }),
  /** Looked up by the link token's HMAC only: the token itself is never stored. */
  link: (hash: string) => ({ [PK]: `MAGICLINK#${hash}`, [SK]: 'MAGICLINK' }),
  settings: (workspaceId: string) => ({ [PK]: `WORKSPACE#${workspaceId}`, [SK]: 'IDENTITY_CONFIRMATION' }),
  scimToken: (workspaceId: string) => ({ [PK]: `WORKSPACE#${workspaceId}`, [SK]: 'SCIM_TOKEN' }),
};

const challengeItem = z.object({
  id: z.string(),
  userId: z.string(),
  workspaceId: z.string(),
  deviceId: z.string(),
  action: z.string(),
  resource: z.string(),
  status: z.enum(['pending', 'approved', 'denied']),
  reason: z.optional(z.string()),
  methods: z.array(z.enum(CONFIRMATION_METHODS)),
  requester: z.object({
    deviceName: z.string(),
    clientType: z.string(),
    os: z.string(),
    browser: z.optional(z.string()),
    ip: z.optional(z.string()),
  }),
  numberToMatch: z.optional(z.string()),
  candidates: z.optional(z.array(z.string())),
  pushesSent: z.number(),
  pushExpiresAt: z.optional(z.string()),
  emailsSent: z.number(),
  linkHash: z.optional(z.string()),
  linkExpiresAt: z.optional(z.string()),
  createdAt: z.string(),
  pendingUntil: z.string(),
  decidedAt: z.optional(z.string()),
  decidedBy: z.optional(z.string()),
  usableUntil: z.optional(z.string()),
});
const linkItem = z.object({
  hash: z.string(),
  userId: z.string(),
  challengeId: z.string(),
  linkExpiresAt: z.string(),
  usedAt: z.optional(z.string()),
});
const settingsItem = z.object({
  methods: z.optional(z.array(z.enum(CONFIRMATION_METHODS))),
  default: z.optional(z.enum(CONFIRMATION_METHODS)),
  reuseWindowSeconds: z.optional(z.number()),
  confirmSecretViews: z.optional(z.boolean()),
});

/** Drops the attributes the table adds (keys, entity, TTL) and the undefined optionals. */
function toChallenge(item: Record<string, unknown>): Challenge {
  const { pendingUntil, ...parsed } = challengeItem.parse(item);
  const challenge = { ...parsed, expiresAt: pendingUntil } as Challenge & Record<string, unknown>;
  for (const key of Object.keys(challenge)) if (challenge[key] === undefined) delete challenge[key];
  return challenge;
}

/** The table's TTL attribute is `expiresAt` (epoch seconds), so a challenge's deadline is stored under this name. */
const PENDING_UNTIL = 'pendingUntil';

function challengeAttributes(challenge: Challenge) {
  const { expiresAt, ...rest } = challenge;
  return { ...rest, [PENDING_UNTIL]: expiresAt };
}

const epochSeconds = (iso: string | Date) => Math.floor(new Date(iso).getTime() / 1000);
/** TTL: clean-up only, a day after the challenge could matter (expiry is checked in conditions). */
const challengeTtl = (challenge: Pick<Challenge, 'expiresAt' | 'usableUntil'>) =>
  epochSeconds(challenge.usableUntil ?? challenge.expiresAt) + IDENTITY_RULES.historyRetentionSeconds;

const FAILED = 'ConditionalCheckFailed';
const ADMIN_ROLES = new Set(['owner', 'super_admin', 'admin']);

export function makeChallengeRepository(doc: DynamoDBDocumentClient, tableName: string): ChallengeRepository {
  const get = async (key: Record<string, string>) =>
    (await doc.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item;

  const conditionalUpdate = async (input: UpdateInput): Promise<ChallengeWriteOutcome> =>
    (await update(doc, tableName, input)) ? 'applied' : 'conflict';

  async function getChallenge(userId: string, challengeId: string) {
    const item = await get(identityKeys.challenge(userId, challengeId));
    return item ? toChallenge(item) : undefined;
  }

  async function findOpen(userId: string, deviceId: string, action: string, resource: string) {
    const claim = await get(identityKeys.open(userId, deviceId, action, resource));
    const challengeId = typeof claim?.challengeId === 'string' ? claim.challengeId : undefined;
    return challengeId ? getChallenge(userId, challengeId) : undefined;
  }

  async function create(
    challenge: Challenge,
    options: { hourlyCap: number; replacing?: string | undefined },
    now: Date,
  ) {
    const hour = Math.floor(now.getTime() / 3_600_000);
    try {
      await doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              // The hourly cap is this one conditional increment: no read-then-write counter.
              Update: hourlyCount(
                tableName,
                identityKeys.count(challenge.userId, hour),
                options.hourlyCap,
                hour,
                'IdentityChallengeCount',
              ),
            },
            {
              // The claim is free, or held by a challenge the caller saw dead, or its holder has expired.
              Put: {
                TableName: tableName,
                Item: {
                  ...identityKeys.open(
                    challenge.userId,
                    challenge.deviceId,
                    challenge.action,
                    challenge.resource,
                  ),
                  [TABLE.entityAttribute]: 'IdentityChallengeClaim',
                  challengeId: challenge.id,
                  openUntil: challenge.expiresAt,
                  [TABLE.ttlAttribute]: challengeTtl(challenge),
                },
                ConditionExpression:
                  'attribute_not_exists(#pk) OR #openUntil <= :now OR #challengeId = :replacing',
                ExpressionAttributeNames: {
                  '#pk': PK,
                  '#openUntil': 'openUntil',
                  '#challengeId': 'challengeId',
                },
                ExpressionAttributeValues: {
                  ':now': now.toISOString(),
                  ':replacing': options.replacing ?? '-',
                },
              },
            },
            {
              Put: {
                TableName: tableName,
                Item: {
                  ...identityKeys.challenge(challenge.userId, challenge.id),
                  [TABLE.entityAttribute]: 'IdentityChallenge',
                  ...challengeAttributes(challenge),
                  [TABLE.ttlAttribute]: challengeTtl(challenge),
                },
                ...itemIsNew,
              },
            },
          ],
        }),
      );
      return 'applied' as const;
    } catch (error) {
      const codes = cancellationCodes(error);
      if (!codes) throw error;
      if (codes[0] === FAILED) return 'hourly_cap' as const;
      if (codes[1] === FAILED) return 'claimed' as const;
      throw error;
    }
  }

  async function listChallenges(userId: string) {
    const items = await queryPrefix(doc, tableName, `USER#${userId}`, identityKeys.challengePrefix);
    return items.map(toChallenge).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  function decide(
    challenge: Challenge,
    decision: {
      status: 'approved' | 'denied';
      reason?: string;
      decidedBy: string;
      usableUntil?: string;
      requirePush: boolean;
    },
    now: Date,
  ) {
    const at = now.toISOString();
    const set = ['#status = :decided', '#decidedAt = :now', '#decidedBy = :by', '#ttl = :ttl'];
    const names: Record<string, string> = {
      '#status': 'status',
      '#decidedAt': 'decidedAt',
      '#decidedBy': 'decidedBy',
      '#ttl': TABLE.ttlAttribute,
    };
    const values: Record<string, unknown> = {
      ':decided': decision.status,
      ':pending': 'pending',
      ':now': at,
      ':by': decision.decidedBy,
      ':ttl': challengeTtl({ expiresAt: challenge.expiresAt, usableUntil: decision.usableUntil }),
    };
    if (decision.reason) {
      set.push('#reason = :reason');
      names['#reason'] = 'reason';
      values[':reason'] = decision.reason;
    }
    if (decision.usableUntil) {
      set.push('#usableUntil = :usableUntil');
      names['#usableUntil'] = 'usableUntil';
      values[':usableUntil'] = decision.usableUntil;
    }
    // Answerable once: only a pending challenge changes, and a push answer only within its 2 minutes.
    let condition = '#status = :pending';
    if (decision.status === 'approved' || decision.requirePush) {
      condition += ' AND #expiresAt > :now';
      names['#expiresAt'] = PENDING_UNTIL;
    }
    if (decision.requirePush) {
      condition += ' AND #pushExpiresAt > :now';
      names['#pushExpiresAt'] = 'pushExpiresAt';
    }
    return conditionalUpdate({
      Key: identityKeys.challenge(challenge.userId, challenge.id),
      UpdateExpression: `SET ${set.join(', ')}`,
      ConditionExpression: condition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    });
  }

  function recordPush(challenge: Challenge, maxPushes: number, pushExpiresAt: string, now: Date) {
    return conditionalUpdate({
      Key: identityKeys.challenge(challenge.userId, challenge.id),
      UpdateExpression:
        'SET #pushes = #pushes + :one, #pushExpiresAt = if_not_exists(#pushExpiresAt, :pushExpiresAt), #expiresAt = :expiresAt',
      ConditionExpression:
        '#status = :pending AND #expiresAt > :now AND #pushes < :max AND (attribute_not_exists(#pushExpiresAt) OR #pushExpiresAt > :now)',
      ExpressionAttributeNames: {
        '#pushes': 'pushesSent',
        '#pushExpiresAt': 'pushExpiresAt',
        '#expiresAt': PENDING_UNTIL,
        '#status': 'status',
      },
      ExpressionAttributeValues: {
        ':one': 1,
        ':max': maxPushes,
        ':pending': 'pending',
        ':now': now.toISOString(),
        ':pushExpiresAt': pushExpiresAt,
        ':expiresAt': challenge.expiresAt > pushExpiresAt ? challenge.expiresAt : pushExpiresAt,
      },
    });
  }

  async function attachLink(
    challenge: Challenge,
    link: MagicLink,
    maxEmails: number,
    now: Date,
    events: DomainEvent[] = [],
  ) {
    const expiresAt = challenge.expiresAt > link.expiresAt ? challenge.expiresAt : link.expiresAt;
    try {
      await doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: tableName,
                Key: identityKeys.challenge(challenge.userId, challenge.id),
                UpdateExpression:
                  'SET #emails = #emails + :one, #linkHash = :hash, #linkExpiresAt = :linkExpiresAt, #expiresAt = :expiresAt, #ttl = :ttl',
                ConditionExpression: '#status = :pending AND #expiresAt > :now AND #emails < :max',
                ExpressionAttributeNames: {
                  '#emails': 'emailsSent',
                  '#linkHash': 'linkHash',
                  '#linkExpiresAt': 'linkExpiresAt',
                  '#expiresAt': PENDING_UNTIL,
                  '#status': 'status',
                  '#ttl': TABLE.ttlAttribute,
                },
                ExpressionAttributeValues: {
                  ':one': 1,
                  ':hash': link.hash,
                  ':linkExpiresAt': link.expiresAt,
                  ':expiresAt': expiresAt,
                  ':pending': 'pending',
                  ':now': now.toISOString(),
                  ':max': maxEmails,
                  ':ttl': challengeTtl({ expiresAt }),
                },
              },
            },
            {
              Put: {
                TableName: tableName,
                Item: {
                  ...identityKeys.link(link.hash),
                  [TABLE.entityAttribute]: 'MagicLink',
                  hash: link.hash,
                  userId: link.userId,
                  challengeId: link.challengeId,
                  linkExpiresAt: link.expiresAt,
                  [TABLE.ttlAttribute]: epochSeconds(link.expiresAt) + IDENTITY_RULES.historyRetentionSeconds,
                },
                ...itemIsNew,
              },
            },
            ...events.map((event) => outboxPut(tableName, event)),
          ],
        }),
      );
      return 'applied' as const;
    } catch (error) {
      if (cancellationCodes(error)) return 'conflict' as const;
      throw error;
    }
  }

  async function getLink(hash: string): Promise<MagicLink | undefined> {
    const item = await get(identityKeys.link(hash));
    if (!item) return undefined;
    const parsed = linkItem.parse(item);
    return {
      hash: parsed.hash,
      userId: parsed.userId,
      challengeId: parsed.challengeId,
      expiresAt: parsed.linkExpiresAt,
      ...(parsed.usedAt ? { usedAt: parsed.usedAt } : {}),
    };
  }

  async function consumeLink(link: MagicLink, usableUntil: string, now: Date) {
    const at = now.toISOString();
    try {
      await doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              // Single use: the first POST sets usedAt; every later one fails this condition.
              Update: {
                TableName: tableName,
                Key: identityKeys.link(link.hash),
                UpdateExpression: 'SET #usedAt = :now',
                ConditionExpression:
                  'attribute_exists(#pk) AND attribute_not_exists(#usedAt) AND #linkExpiresAt > :now',
                ExpressionAttributeNames: {
                  '#pk': PK,
                  '#usedAt': 'usedAt',
                  '#linkExpiresAt': 'linkExpiresAt',
                },
                ExpressionAttributeValues: { ':now': at },
              },
            },
            {
              // Only the challenge this link is bound to, and only while the link is its current one.
              Update: {
                TableName: tableName,
                Key: identityKeys.challenge(link.userId, link.challengeId),
                UpdateExpression:
                  'SET #status = :approved, #decidedAt = :now, #decidedBy = :by, #usableUntil = :usableUntil, #ttl = :ttl',
                ConditionExpression:
                  '#status = :pending AND #linkHash = :hash AND #linkExpiresAt > :now AND #expiresAt > :now',
                ExpressionAttributeNames: {
                  '#status': 'status',
                  '#decidedAt': 'decidedAt',
                  '#decidedBy': 'decidedBy',
                  '#usableUntil': 'usableUntil',
                  '#linkHash': 'linkHash',
                  '#linkExpiresAt': 'linkExpiresAt',
                  '#expiresAt': PENDING_UNTIL,
                  '#ttl': TABLE.ttlAttribute,
                },
                ExpressionAttributeValues: {
                  ':approved': 'approved',
                  ':pending': 'pending',
                  ':now': at,
                  ':by': 'magic_link',
                  ':usableUntil': usableUntil,
                  ':hash': link.hash,
                  ':ttl': epochSeconds(usableUntil) + IDENTITY_RULES.historyRetentionSeconds,
                },
              },
            },
          ],
        }),
      );
      return 'applied' as const;
    } catch (error) {
      if (cancellationCodes(error)) return 'conflict' as const;
      throw error;
    }
  }

  async function getSettings(workspaceId: string): Promise<Partial<IdentitySettings>> {
    const item = await get(identityKeys.settings(workspaceId));
    if (!item) return {};
    const parsed = settingsItem.parse(item);
    return Object.fromEntries(Object.entries(parsed).filter(([, v]) => v !== undefined));
  }

  async function putSettings(workspaceId: string, settings: IdentitySettings, now: Date) {
    await doc.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          ...identityKeys.settings(workspaceId),
          [TABLE.entityAttribute]: 'IdentityConfirmationSettings',
          ...settings,
          updatedAt: now.toISOString(),
        },
      }),
    );
  }

  async function pushBlockedUntil(userId: string) {
    const item = await get(identityKeys.pushBlock(userId));
    return typeof item?.until === 'string' ? item.until : undefined;
  }

  async function blockPush(userId: string, until: string, now: Date) {
    await doc.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          ...identityKeys.pushBlock(userId),
          [TABLE.entityAttribute]: 'IdentityPushBlock',
          until,
          createdAt: now.toISOString(),
          [TABLE.ttlAttribute]: epochSeconds(until) + IDENTITY_RULES.historyRetentionSeconds,
        },
      }),
    );
  }

  async function workspaceAdmins(workspaceId: string): Promise<User[]> {
    const items = await queryAll(doc, tableName, {
      IndexName: TABLE.gsi1.indexName,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': TABLE.gsi1.partitionKey },
      ExpressionAttributeValues: { ':pk': `WORKSPACE#${workspaceId}#USERS` },
    });
    const admins: User[] = [];
    for (const item of items) {
      const parsed = userItem.safeParse(item);
      if (parsed.success && parsed.data.status === 'active' && ADMIN_ROLES.has(parsed.data.workspaceRole)) {
        admins.push(parsed.data);
      }
    }
    return admins;
  }

  async function putScimToken(workspaceId: string, tokenHash: string, createdBy: string, now: Date) {
    await doc.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          ...identityKeys.scimToken(workspaceId),
          [TABLE.entityAttribute]: 'ScimToken',
          tokenHash,
          createdBy,
          createdAt: now.toISOString(),
        },
      }),
    );
  }

  return {
    getSettings,
    putSettings,
    getChallenge,
    findOpen,
    create,
    listChallenges,
    decide,
    recordPush,
    attachLink,
    getLink,
    consumeLink,
    pushBlockedUntil,
    blockPush,
    workspaceAdmins,
    putScimToken,
  };
}
