import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { identityKeys, makeChallengeRepository } from '../adapters/dynamodb/challenge-repository';
import { makeDeviceRepository } from '../adapters/dynamodb/device-repository';
import { makeDirectoryRepository } from '../adapters/dynamodb/directory-repository';
import { makeOutboxPushQueue } from '../adapters/dynamodb/outbox';
import { makeVaultRepository } from '../adapters/dynamodb/vault-repository';
import { scimProtocol } from '../adapters/scim/protocol';
import { makeAccessLister } from '../adapters/team-access';
import { ENV, optionalEnv } from '../config/env';
import { cancelPendingChallenges } from '../domain/identity/cancel-pending';
import type { ScimHandlerDeps } from '../http/scim-handler';
import { continuityHooks } from './continuity';
import { httpCore } from './core';

/** The SCIM function's deps, built once per container. */
export function scimRuntime(): ScimHandlerDeps {
  const { doc, tableName, core } = httpCore();
  const directory = makeDirectoryRepository(doc, tableName);
  return {
    directory,
    protocol: scimProtocol,
    clock: core.clock,
    newId: core.newId,
    deprovision: {
      ...core,
      // Deprovisioning disables the user's devices: the full repository, not the core's reads.
      devices: makeDeviceRepository(doc, tableName),
      // Endpoint deletions go through the outbox: no SQS call inside the SCIM request.
      queue: makeOutboxPushQueue(doc, tableName, { clock: core.clock, newId: core.newId }),
      ...makeAccessLister(doc, tableName),
      ...continuityHooks(doc, tableName, core),
      cancelPendingChallenges: (userId: string) =>
        cancelPendingChallenges(userId, {
          challenges: makeChallengeRepository(doc, tableName),
          clock: core.clock,
        }),
    },
    token: {
      hmac: core.hmac,
      tokenHashOf: async (workspaceId) => {
        const { Item } = await doc.send(
          new GetCommand({
            TableName: tableName,
            Key: identityKeys.scimToken(workspaceId),
            ConsistentRead: true,
          }),
        );
        return typeof Item?.tokenHash === 'string' ? Item.tokenHash : undefined;
      },
    },
    vaultGrants: makeVaultRepository(doc, tableName),
    baseUrl: optionalEnv(ENV.scimBaseUrl),
  };
}
