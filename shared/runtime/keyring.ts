import { CALL_BUDGETS } from '../adapters/aws/call-budget';
import { kmsDataKeys, localDataKeys, makeKeyring } from '../adapters/kms/keyring';
import { ENV, MissingConfigError, optionalEnv, positiveIntEnv } from '../config/env';
import type { Keyring } from '../domain/ports';
import { kmsClient } from './aws-clients';

/** The secrets keyring: KMS in AWS, the local master key in the local runtime. */
export function sharedKeyring(budget: 'request' | 'worker' = 'request'): Keyring {
  const keyId = optionalEnv(ENV.secretsKeyId);
  if (keyId) return makeKeyring(kmsDataKeys(kmsClient(budget), { keyId, budget: CALL_BUDGETS[budget] }));
  const local = optionalEnv(ENV.localSecretsKey);
  if (local && /^[0-9a-f]{64}$/i.test(local)) return makeKeyring(localDataKeys(Buffer.from(local, 'hex')));
  throw new MissingConfigError(`${ENV.secretsKeyId} (or ${ENV.localSecretsKey} locally)`);
}

export function accountSettings() {
  return {
    inboundEmailDomain: optionalEnv(ENV.inboundEmailDomain) ?? 'inbound.latchkey.local',
    inboxRetentionDays: positiveIntEnv(ENV.inboxRetentionDays, 30),
  };
}
