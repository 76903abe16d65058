import { CALL_BUDGETS } from '../adapters/aws/call-budget';
import { makeAttachmentRepository } from '../adapters/dynamodb/attachment-repository';
import { makeShareLinkRepository } from '../adapters/dynamodb/share-link-repository';
import { makeVaultRepository } from '../adapters/dynamodb/vault-repository';
import { makeS3AttachmentStore } from '../adapters/s3/attachment-store';
import { makeSecretPrincipals } from '../adapters/team-access';
import { ENV, requireEnv } from '../config/env';
import type { AttachmentDeps } from '../domain/secrets/attachments';
import { s3Client } from './aws-clients';
import { httpRuntime } from './http';
import { sharedKeyring } from './keyring';

/** The HTTP runtime plus vaults and secrets: the repository, the accounts' keyring, principals, attachments. */
export function secretsRuntime() {
  const runtime = httpRuntime();
  const { doc, tableName, deps } = runtime;
  const secretDeps: AttachmentDeps = {
    ...deps,
    vaults: makeVaultRepository(doc, tableName),
    keyring: sharedKeyring(),
    // A user acts as themselves and as each of their teams (docs/secrets.md).
    ...makeSecretPrincipals(doc, tableName),
    revokeShareLinks: makeShareLinkRepository(doc, tableName).revokeForResource,
    attachments: makeAttachmentRepository(doc, tableName),
    attachmentStore: makeS3AttachmentStore(s3Client('request'), {
      bucket: requireEnv(ENV.attachmentsBucket),
      budget: CALL_BUDGETS.request,
    }),
  };
  return { ...runtime, secretDeps };
}
