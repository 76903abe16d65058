import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { makeAccountRepository } from '../adapters/dynamodb/account-repository';
import { makeDirectorySettingsStore } from '../adapters/dynamodb/directory-settings';
import {
  makeGrantLedger,
  makeLogoutTokenStore,
  makeRotateByHandList,
  makeUserByEmail,
} from '../adapters/dynamodb/logout-repository';
import { makeRotationRepository } from '../adapters/dynamodb/rotation-repository';
import { joseLogoutTokens } from '../adapters/jose/logout-tokens';
import { cancelPendingChallenges } from '../domain/identity/cancel-pending';
import type { GlobalLogoutDeps } from '../domain/logout/global-token-revocation';
import type { RotationTriggerDeps } from '../domain/logout/use-cases';
import type { Clock, IdGenerator } from '../domain/ports';
import { httpRuntime } from './http';

/** What queuing rotations for a trigger needs (the HTTP group and the `user.deprovisioned` consumer). */
export function rotationTriggerDeps(
  doc: DynamoDBDocumentClient,
  tableName: string,
  ids: { clock: Clock; newId: IdGenerator },
): RotationTriggerDeps {
  return {
    accounts: makeAccountRepository(doc, tableName),
    rotations: makeRotationRepository(doc, tableName),
    rotateByHand: makeRotateByHandList(doc, tableName),
    ...ids,
  };
}

/** The logout group: universal logout (admin and IdP-initiated) and the rotate-by-hand list. */
export function logoutRuntime() {
  const runtime = httpRuntime();
  const { doc, tableName, deps } = runtime;
  const logoutDeps: GlobalLogoutDeps = {
    ...deps,
    ...rotationTriggerDeps(doc, tableName, deps),
    ledger: makeGrantLedger(doc, tableName),
    settings: makeDirectorySettingsStore(doc, tableName),
    logoutTokens: joseLogoutTokens({ consume: makeLogoutTokenStore(doc, tableName) }),
    userIdByEmail: makeUserByEmail(doc, tableName),
    cancelPendingChallenges: (userId) => cancelPendingChallenges(userId, deps),
  };
  return { ...runtime, deps: logoutDeps };
}
