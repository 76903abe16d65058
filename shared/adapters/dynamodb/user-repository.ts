import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { TABLE } from '../../config/table';
import type { BootstrapStore } from '../../domain/directory/bootstrap';
import type { DirectorySettings } from '../../domain/directory/settings';
import { NotProvisionedError, UserDeprovisionedError } from '../../domain/errors';
import type { ProvisionUserInput, ProvisionUserResult, UserRepository } from '../../domain/ports';
import {
  type CallerIdentity,
  normalizeWorkspaceName,
  USER_STATUSES,
  type User,
  WORKSPACE_ROLES,
  type Workspace,
} from '../../domain/users/model';
import { cancellationCodes, itemExists, itemIsNew, userIsActive } from './conditions';

const ENTITY = { user: 'User', identity: 'Identity', workspace: 'Workspace', workspaceName: 'WorkspaceName' };

/** Key builders: the only place these key formats are written. */
export const userKeys = {
  user: (userId: string) => ({ [TABLE.partitionKey]: `USER#${userId}`, [TABLE.sortKey]: 'PROFILE' }),
  /** Hashed so that any issuer/subject strings give a bounded key with no delimiter ambiguity. */
  identity: (issuer: string, subject: string) => ({
    [TABLE.partitionKey]: `IDENTITY#${createHash('sha256').update(`${issuer}\n${subject}`).digest('hex')}`,
    [TABLE.sortKey]: 'IDENTITY',
  }),
  workspace: (workspaceId: string) => ({
    [TABLE.partitionKey]: `WORKSPACE#${workspaceId}`,
    [TABLE.sortKey]: 'META',
  }),
  /** Who may join the workspace (its directory settings), beside the workspace's own item. */
  directorySettings: (workspaceId: string) => ({
    [TABLE.partitionKey]: `WORKSPACE#${workspaceId}`,
    [TABLE.sortKey]: 'DIRECTORY',
  }),
  workspaceName: (name: string) => ({
    [TABLE.partitionKey]: `WORKSPACE_NAME#${name}`,
    [TABLE.sortKey]: 'CLAIM',
  }),
  /** gsi1: the members of a workspace, by email. */
  workspaceMember: (workspaceId: string, email: string) => ({
    [TABLE.gsi1.partitionKey]: `WORKSPACE#${workspaceId}#USERS`,
    [TABLE.gsi1.sortKey]: `EMAIL#${email.toLowerCase()}`,
  }),
};

/** A stored user, narrowed to the domain's fields (keys, entity and extra attributes dropped). */
export const userItem = z.object({
  id: z.string(),
  workspaceId: z.string(),
  email: z.string(),
  name: z.string(),
  workspaceRole: z.enum(WORKSPACE_ROLES),
  status: z.enum(USER_STATUSES),
  createdAt: z.string(),
  updatedAt: z.string(),
});
const workspaceItem = z.object({ id: z.string(), name: z.string(), createdAt: z.string() });
const identityItem = z.object({ userId: z.string() });
const workspaceNameItem = z.object({ workspaceId: z.string() });

/** A workspace name claimed concurrently, or a workspace that vanished: worth one more try. */
const MAX_PROVISION_ATTEMPTS = 3;

export function makeUserRepository(
  doc: DynamoDBDocumentClient,
  tableName: string,
): UserRepository & BootstrapStore {
  // Identity -> user id never changes once written, so it is safe to remember for the container's life.
  const identityCache = new Map<string, string>();

  async function get(key: Record<string, string>): Promise<Record<string, unknown> | undefined> {
    const { Item } = await doc.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
    return Item;
  }

  async function findUserIdByIdentity(issuer: string, subject: string): Promise<string | undefined> {
    const key = userKeys.identity(issuer, subject);
    const cached = identityCache.get(key.pk as string);
    if (cached) return cached;
    const item = await get(key);
    if (!item) return undefined;
    const { userId } = identityItem.parse(item);
    identityCache.set(key.pk as string, userId);
    return userId;
  }

  async function getUser(userId: string): Promise<User | undefined> {
    const item = await get(userKeys.user(userId));
    return item ? userItem.parse(item) : undefined;
  }

  async function getWorkspace(workspaceId: string): Promise<Workspace | undefined> {
    const item = await get(userKeys.workspace(workspaceId));
    return item ? workspaceItem.parse(item) : undefined;
  }

  async function findWorkspaceByName(name: string): Promise<Workspace | undefined> {
    const claim = await get(userKeys.workspaceName(name));
    return claim ? getWorkspace(workspaceNameItem.parse(claim).workspaceId) : undefined;
  }

  function userPut(user: User, identity: CallerIdentity) {
    return [
      {
        Put: {
          TableName: tableName,
          Item: {
            ...userKeys.identity(identity.issuer, identity.subject),
            [TABLE.entityAttribute]: ENTITY.identity,
            userId: user.id,
            issuer: identity.issuer,
            createdAt: user.createdAt,
          },
          ...itemIsNew,
        },
      },
      {
        Put: {
          TableName: tableName,
          Item: {
            ...userKeys.user(user.id),
            ...userKeys.workspaceMember(user.workspaceId, user.email),
            [TABLE.entityAttribute]: ENTITY.user,
            ...user,
            // Signed in already: no other identity may link to this user later (see linkIdentity).
            linkedIdentity: userKeys.identity(identity.issuer, identity.subject)[TABLE.partitionKey],
          },
          ...itemIsNew,
        },
      },
    ];
  }

  async function existingUser(identity: CallerIdentity): Promise<ProvisionUserResult | undefined> {
    const userId = await findUserIdByIdentity(identity.issuer, identity.subject);
    const user = userId ? await getUser(userId) : undefined;
    const workspace = user ? await getWorkspace(user.workspaceId) : undefined;
    return user && workspace ? { user, workspace, created: false } : undefined;
  }

  async function provision(input: ProvisionUserInput): Promise<ProvisionUserResult> {
    const name = normalizeWorkspaceName(input.identity.workspaceName);
    const at = input.now.toISOString();
    for (let attempt = 0; attempt < MAX_PROVISION_ATTEMPTS; attempt++) {
      const found = await findWorkspaceByName(name);
      if (!found && !input.newWorkspaceId) throw new NotProvisionedError();
      const workspace: Workspace = found ?? { id: input.newWorkspaceId as string, name, createdAt: at };
      const user: User = {
        id: input.userId,
        workspaceId: workspace.id,
        email: input.identity.email.toLowerCase(),
        name: input.identity.name,
        workspaceRole: found ? input.role : 'owner',
        status: 'active',
        createdAt: at,
        updatedAt: at,
      };
      const workspaceWrites = found
        ? [{ ConditionCheck: { TableName: tableName, Key: userKeys.workspace(workspace.id), ...itemExists } }]
        : workspaceItems(workspace);
      try {
        await doc.send(
          new TransactWriteCommand({ TransactItems: [...userPut(user, input.identity), ...workspaceWrites] }),
        );
        return { user, workspace, created: true };
      } catch (error) {
        const codes = cancellationCodes(error);
        if (!codes) throw error;
        // Item 0 is the identity claim: another call provisioned this identity first, so use its user.
        if (codes[0] === 'ConditionalCheckFailed') {
          const existing = await existingUser(input.identity);
          if (existing) return existing;
        }
        // Otherwise the workspace name was claimed (or its workspace vanished) meanwhile: look again.
      }
    }
    throw new Error(`could not provision user in workspace ${name} after ${MAX_PROVISION_ATTEMPTS} attempts`);
  }

  const workspaceItems = (workspace: Workspace) => [
    {
      Put: {
        TableName: tableName,
        Item: {
          ...userKeys.workspace(workspace.id),
          [TABLE.entityAttribute]: ENTITY.workspace,
          ...workspace,
        },
        ...itemIsNew,
      },
    },
    {
      Put: {
        TableName: tableName,
        Item: {
          ...userKeys.workspaceName(workspace.name),
          [TABLE.entityAttribute]: ENTITY.workspaceName,
          workspaceId: workspace.id,
        },
        ...itemIsNew,
      },
    },
  ];

  /** A user bootstrap names before they ever signed in: linked on first sign-in by verified email. */
  const invitedUserPut = (user: User) => ({
    Put: {
      TableName: tableName,
      Item: {
        ...userKeys.user(user.id),
        ...userKeys.workspaceMember(user.workspaceId, user.email),
        [TABLE.entityAttribute]: ENTITY.user,
        ...user,
        invited: true,
      },
      ...itemIsNew,
    },
  });

  async function createWorkspace(workspace: Workspace, settings: DirectorySettings, owner: User) {
    try {
      await doc.send(
        new TransactWriteCommand({
          TransactItems: [
            ...workspaceItems(workspace),
            {
              Put: {
                TableName: tableName,
                Item: {
                  ...userKeys.directorySettings(workspace.id),
                  [TABLE.entityAttribute]: 'DirectorySettings',
                  ...settings,
                },
                ...itemIsNew,
              },
            },
            invitedUserPut(owner),
          ],
        }),
      );
      return 'created' as const;
    } catch (error) {
      if (cancellationCodes(error)) return 'name_taken' as const;
      throw error;
    }
  }

  async function addInvitedUser(user: User) {
    try {
      await doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              ConditionCheck: {
                TableName: tableName,
                Key: userKeys.workspace(user.workspaceId),
                ...itemExists,
              },
            },
            invitedUserPut(user),
          ],
        }),
      );
      return 'created' as const;
    } catch (error) {
      if (cancellationCodes(error)) return 'conflict' as const;
      throw error;
    }
  }

  async function updateName(userId: string, name: string, now: Date): Promise<User> {
    try {
      const { Attributes } = await doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: userKeys.user(userId),
          UpdateExpression: 'SET #name = :name, #updatedAt = :updatedAt',
          ...userIsActive,
          ExpressionAttributeNames: {
            ...userIsActive.ExpressionAttributeNames,
            '#name': 'name',
            '#updatedAt': 'updatedAt',
          },
          ExpressionAttributeValues: {
            ...userIsActive.ExpressionAttributeValues,
            ':name': name,
            ':updatedAt': now.toISOString(),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return userItem.parse(Attributes);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new UserDeprovisionedError();
      throw error;
    }
  }

  return {
    findUserIdByIdentity,
    getUser,
    provision,
    updateName,
    findWorkspaceByName,
    createWorkspace,
    addInvitedUser,
  };
}
