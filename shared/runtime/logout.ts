import { makeDirectorySettingsStore } from '../adapters/dynamodb/directory-settings';
import {
  makeGrantLedger,
  makeLogoutTokenStore,
  makeUserByEmail,
} from '../adapters/dynamodb/logout-repository';
import { joseLogoutTokens } from '../adapters/jose/logout-tokens';
import { cancelPendingChallenges } from '../domain/identity/cancel-pending';
import type { GlobalLogoutDeps } from '../domain/logout/global-token-revocation';
import { httpRuntime } from './http';
import { localOutboundOrigin } from './outbound';
import { rotationTriggerDeps } from './rotation-triggers';

/** The logout group: universal logout (admin and IdP-initiated) and the rotate-by-hand list. */
export function logoutRuntime() {
  const runtime = httpRuntime();
  const { doc, tableName, deps } = runtime;
  const localOrigin = localOutboundOrigin();
  const logoutDeps: GlobalLogoutDeps = {
    ...deps,
    ...rotationTriggerDeps(doc, tableName, deps),
    ledger: makeGrantLedger(doc, tableName),
    settings: makeDirectorySettingsStore(doc, tableName),
    logoutTokens: joseLogoutTokens({
      consume: makeLogoutTokenStore(doc, tableName),
      // The JWKS is fetched under the webhook connector's SSRF rules, with the same local-only allowance.
      fetch: localOrigin ? { localOrigin } : {},
    }),
    userIdByEmail: makeUserByEmail(doc, tableName),
    cancelPendingChallenges: (userId) => cancelPendingChallenges(userId, deps),
  };
  return { ...runtime, deps: logoutDeps };
}
