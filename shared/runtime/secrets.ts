import { makeShareLinkRepository } from '../adapters/dynamodb/share-link-repository';
import { makeVaultRepository } from '../adapters/dynamodb/vault-repository';
import { makeSecretPrincipals } from '../adapters/team-access';
import type { SecretDeps } from '../domain/secrets/use-cases';
import { confirmingRuntime } from './http';
import { sharedKeyring } from './keyring';

/**
 * The confirming runtime (no device writes) plus vaults and secrets: the repository, the accounts' keyring, principals. No
 * attachments bucket here: its routes are the attachments group's (`runtime/attachments.ts`).
 */
export function secretsRuntime() {
  const runtime = confirmingRuntime();
  const { doc, tableName, deps } = runtime;
  const secretDeps: SecretDeps & typeof deps = {
    ...deps,
    vaults: makeVaultRepository(doc, tableName),
    keyring: sharedKeyring(),
    // A user acts as themselves and as each of their teams (docs/secrets.md).
    ...makeSecretPrincipals(doc, tableName),
    revokeShareLinks: makeShareLinkRepository(doc, tableName).revokeForResource,
  };
  return { ...runtime, secretDeps };
}
