import {
  type DynamoDBDocumentClient,
  GetCommand,
  type QueryCommandInput,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { TABLE } from '../../config/table';
import type { DirectoryRepository } from '../../domain/directory/ports';
import type { DirectoryUser, ScimUserData, Team } from '../../domain/directory/scim-model';
import type { DirectorySettings } from '../../domain/directory/settings';
import type { CallerIdentity, User, Workspace } from '../../domain/users/model';
import { cancellationCodes, itemIsNew } from './conditions';
import { queryAll } from './operations';
import { userItem, userKeys } from './user-repository';

/*
 * The directory's keys and items, and the narrow pieces of it that most functions need: linking a
 * first sign-in (every authenticated HTTP group, through the core) and reading teams (the secrets
 * groups). They live apart from the full repository (`directory-repository.ts`, which builds on them)
 * so a function that needs only these does not ship the SCIM writes (bundle budget,
 * docs/performance.md).
 */

const PK = TABLE.partitionKey;
const SK = TABLE.sortKey;
const GPK = TABLE.gsi1.partitionKey;
const GSK = TABLE.gsi1.sortKey;

/** Key builders of the directory: the only place these formats are written. */
export const directoryKeys = {
  /** Unique per workspace, case-insensitively (RFC 7643: userName is caseExact false). */
  userName: (workspaceId: string, userName: string) => ({
    [PK]: `SCIM_USERNAME#${workspaceId}#${userName.toLowerCase()}`,
    [SK]: 'CLAIM',
  }),
  /** Unique per workspace; caseExact, as RFC 7643 defines externalId. */
  userExternalId: (workspaceId: string, externalId: string) => ({
    [PK]: `SCIM_USER_EXTERNAL#${workspaceId}#${externalId}`,
    [SK]: 'CLAIM',
  }),
  groupExternalId: (workspaceId: string, externalId: string) => ({
    [PK]: `SCIM_GROUP_EXTERNAL#${workspaceId}#${externalId}`,
    [SK]: 'CLAIM',
  }),
  /** A hand-kept index of users by display name: `displayName eq` is one query. */
  userDisplayName: (workspaceId: string, displayName: string, userId: string) => ({
    [PK]: `WORKSPACE#${workspaceId}#USER_NAMES`,
    [SK]: `${displayName.toLowerCase()}#${userId}`,
  }),
  workspaceUsers: (workspaceId: string) => `WORKSPACE#${workspaceId}#USERS`,
  team: (teamId: string) => ({ [PK]: `TEAM#${teamId}`, [SK]: 'META' }),
  /** gsi1: the teams of a workspace, by name. */
  workspaceTeam: (workspaceId: string, displayName: string, teamId: string) => ({
    [GPK]: `WORKSPACE#${workspaceId}#TEAMS`,
    [GSK]: `NAME#${displayName.toLowerCase()}#${teamId}`,
  }),
  /** One item per membership; gsi1 gives the teams of a user. */
  teamMember: (teamId: string, userId: string) => ({ [PK]: `TEAM#${teamId}`, [SK]: `MEMBER#${userId}` }),
  /** An account shared with a team; gsi1 gives the accounts of a team. */
  teamGrant: (accountId: string, teamId: string) => ({
    [PK]: `ACCOUNT#${accountId}`,
    [SK]: `TEAM#${teamId}`,
  }),
  accountOfTeam: (teamId: string, accountId: string) => ({
    [GPK]: `TEAM#${teamId}#ACCOUNTS`,
    [GSK]: `ACCOUNT#${accountId}`,
  }),
  memberOf: (userId: string, teamId: string) => ({
    [GPK]: `USER#${userId}#TEAMS`,
    [GSK]: `TEAM#${teamId}`,
  }),
};

/** The user item plus what the directory keeps on it: its version and the SCIM attributes. */
const directoryUserItem = z.extend(userItem, {
  version: z.optional(z.number()),
  scim: z.optional(z.record(z.string(), z.unknown())),
  scimDeleted: z.optional(z.boolean()),
});
const teamItem = z.object({
  id: z.string(),
  workspaceId: z.string(),
  displayName: z.string(),
  externalId: z.optional(z.string()),
  memberCount: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number(),
});
const claimItem = z.object({ userId: z.string() });

export function toDirectoryUser(item: Record<string, unknown>): DirectoryUser {
  const parsed = directoryUserItem.parse(item);
  const { version, scim, scimDeleted: _deleted, ...user } = parsed;
  return {
    user: user as User,
    ...(scim ? { scim: scim as unknown as ScimUserData } : {}),
    version: version ?? 0,
  };
}

export function toTeam(item: Record<string, unknown>): Team {
  return teamItem.parse(item) as Team;
}

/** A query over a gsi1 partition, optionally narrowed by its sort key. */
export function byGsi(partition: string, sortCondition?: { op: '=' | 'begins_with'; value: string }) {
  return {
    IndexName: TABLE.gsi1.indexName,
    KeyConditionExpression: sortCondition
      ? sortCondition.op === '='
        ? '#pk = :pk AND #sk = :sk'
        : '#pk = :pk AND begins_with(#sk, :sk)'
      : '#pk = :pk',
    ExpressionAttributeNames: { '#pk': GPK, ...(sortCondition ? { '#sk': GSK } : {}) },
    ExpressionAttributeValues: { ':pk': partition, ...(sortCondition ? { ':sk': sortCondition.value } : {}) },
  };
}

/** The reads the narrow pieces and the full repository share. */
export function directoryReads(doc: DynamoDBDocumentClient, tableName: string) {
  const get = async (key: Record<string, string>) =>
    (await doc.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item;
  const query = (input: Omit<QueryCommandInput, 'TableName'>, cap?: number) =>
    queryAll(doc, tableName, input, cap);
  return {
    get,
    queryAll: query,
    /** The user a SCIM uniqueness claim belongs to (none or one). */
    claimOwner: async (key: Record<string, string>) => {
      const item = await get(key);
      return item ? [claimItem.parse(item).userId] : [];
    },
    /** The workspace's users with this email, and whether SCIM manages each. */
    usersByEmail: async (workspaceId: string, email: string) =>
      (
        await query(
          byGsi(directoryKeys.workspaceUsers(workspaceId), {
            op: '=',
            value: `EMAIL#${email.toLowerCase()}`,
          }),
        )
      ).map((item) => ({ id: String(item.id), managed: item.scim !== undefined })),
  };
}

/** Teams as the secrets groups read them: one team, and the teams of a user. */
export function makeTeamReads(
  doc: DynamoDBDocumentClient,
  tableName: string,
): Pick<DirectoryRepository, 'getTeam' | 'teamsOfUser'> {
  const { get, queryAll: query } = directoryReads(doc, tableName);
  return {
    async getTeam(workspaceId: string, teamId: string) {
      const item = await get(directoryKeys.team(teamId));
      if (!item) return undefined;
      const team = toTeam(item);
      return team.workspaceId === workspaceId ? team : undefined;
    },
    async teamsOfUser(userId: string) {
      const items = await query(byGsi(`USER#${userId}#TEAMS`));
      return items.map((item) => String(item.teamId));
    },
  };
}

/** `DirectoryRepository.linkIdentity` alone: what the core needs to resolve a first sign-in. */
export function makeIdentityLinker(
  doc: DynamoDBDocumentClient,
  tableName: string,
): Pick<DirectoryRepository, 'linkIdentity'> {
  const { get, claimOwner, usersByEmail } = directoryReads(doc, tableName);
  const userOf = (item: Record<string, unknown>) => toDirectoryUser(item).user;
  /** The one not yet linked user among `ids` that `eligible` accepts, or undefined (none, or ambiguous). */
  async function soleUnlinked(
    ids: string[],
    eligible: (item: Record<string, unknown>, user: User) => boolean,
  ) {
    const items = await Promise.all(ids.map((id) => get(userKeys.user(id))));
    const unlinked = items.filter(
      (item): item is Record<string, unknown> =>
        item !== undefined && !item.linkedIdentity && !item.scimDeleted && eligible(item, userOf(item)),
    );
    return unlinked.length === 1 ? userOf(unlinked[0] as Record<string, unknown>) : undefined;
  }

  async function linkTarget(identity: CallerIdentity, settings: DirectorySettings, workspace: Workspace) {
    if (settings.linkBy === 'external_id') {
      // Entra's `oid` is the stable object id its SCIM client sends as externalId; others use `sub`.
      const externalId = identity.objectId ?? identity.subject;
      const byExternalId = await soleUnlinked(
        await claimOwner(directoryKeys.userExternalId(workspace.id, externalId)),
        (item, user) => item.scim !== undefined && user.workspaceId === workspace.id,
      );
      if (byExternalId) return byExternalId;
    }
    if (!identity.emailVerified) return undefined;
    const email = identity.email.toLowerCase();
    // By verified email: SCIM users only where the workspace links by email; bootstrap's invited owner always.
    return soleUnlinked(
      (await usersByEmail(workspace.id, email)).map((user) => user.id),
      (item, user) =>
        user.email === email &&
        user.workspaceId === workspace.id &&
        (item.invited === true || (settings.linkBy === 'verified_email' && item.scim !== undefined)),
    );
  }

  async function linkIdentity(
    identity: CallerIdentity,
    settings: DirectorySettings,
    workspace: Workspace,
  ): Promise<User | undefined> {
    const target = await linkTarget(identity, settings, workspace);
    if (!target) return undefined;
    const identityKey = userKeys.identity(identity.issuer, identity.subject);
    try {
      await doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: tableName,
                Item: {
                  ...identityKey,
                  [TABLE.entityAttribute]: 'Identity',
                  userId: target.id,
                  issuer: identity.issuer,
                  createdAt: new Date().toISOString(),
                },
                ...itemIsNew,
              },
            },
            {
              Update: {
                TableName: tableName,
                Key: userKeys.user(target.id),
                // One IdP identity per provisioned user: a second one never takes it over.
                UpdateExpression: 'SET #linked = :linked REMOVE #invited',
                ConditionExpression:
                  'attribute_exists(#pk) AND attribute_not_exists(#linked) AND attribute_not_exists(#deleted)',
                ExpressionAttributeNames: {
                  '#pk': PK,
                  '#linked': 'linkedIdentity',
                  '#deleted': 'scimDeleted',
                  '#invited': 'invited',
                },
                ExpressionAttributeValues: { ':linked': identityKey[PK] },
              },
            },
          ],
        }),
      );
      return target;
    } catch (error) {
      // Linked meanwhile (by this identity or another): no link, the caller is resolved as unknown.
      if (cancellationCodes(error)) return undefined;
      throw error;
    }
  }

  return { linkIdentity };
}
