import { CALL_BUDGETS } from '../adapters/aws/call-budget';
import { makeHmac } from '../adapters/crypto/hmac';
import { sharedDocumentClient } from '../adapters/dynamodb/client';
import { makeDeviceReads } from '../adapters/dynamodb/device-reads';
import { makeIdentityLinker } from '../adapters/dynamodb/directory-reads';
import { makeDirectorySettingsStore } from '../adapters/dynamodb/directory-settings';
import { makeUserRepository } from '../adapters/dynamodb/user-repository';
import { newId, systemClock } from '../adapters/ids';
import { kmsDerivedKey } from '../adapters/kms/hmac-key';
import { securityLog } from '../adapters/security-log';
import { DEFAULTS, ENV, MissingConfigError, optionalEnv, positiveIntEnv, requireEnv } from '../config/env';
import { authenticateDevice } from '../domain/devices/use-cases';
import { directorySettingsOf } from '../domain/directory/settings';
import type { Hmac } from '../domain/ports';
import type { Workspace } from '../domain/users/model';
import { resolveCaller } from '../domain/users/resolve-caller';
import type { GroupOptions } from '../http/handler';
import { kmsClient } from './aws-clients';

/** The server HMAC key: derived from KMS in AWS, given directly (hex) by the local runtime. */
function serverHmac(): Hmac {
  const keyId = optionalEnv(ENV.hmacKeyId);
  if (keyId) return makeHmac(kmsDerivedKey(kmsClient('coldStart'), keyId, CALL_BUDGETS.coldStart));
  const local = optionalEnv(ENV.localHmacKey);
  if (local && /^[0-9a-f]{64,}$/i.test(local)) return makeHmac(async () => Buffer.from(local, 'hex'));
  throw new MissingConfigError(`${ENV.hmacKeyId} (or ${ENV.localHmacKey} locally)`);
}

/**
 * What every authenticated group needs (the caller, the device check) and nothing else, built once
 * per container from the environment. Groups that only need this stay small (bundle budget).
 */
export function httpCore() {
  const tableName = requireEnv(ENV.tableName);
  const doc = sharedDocumentClient();
  const core = {
    users: makeUserRepository(doc, tableName),
    // The device check's reads; groups that enrol or change devices add the full repository.
    devices: makeDeviceReads(doc, tableName),
    hmac: serverHmac(),
    clock: systemClock,
    newId,
    security: securityLog,
  };
  const settings = makeDirectorySettingsStore(doc, tableName);
  const callerDeps = {
    ...core,
    // Only the linker, not the whole directory repository (bundle budget, docs/performance.md).
    link: makeIdentityLinker(doc, tableName).linkIdentity,
    directorySettings: (workspace: Workspace) =>
      directorySettingsOf(workspace.id, { settings, clock: core.clock }),
  };
  const options: GroupOptions = {
    maxBodyBytes: positiveIntEnv(ENV.maxBodyBytes, DEFAULTS.maxBodyBytes),
    workspaceClaim: optionalEnv(ENV.workspaceClaim) ?? DEFAULTS.workspaceClaim,
    resolveCaller: (identity) => resolveCaller(identity, callerDeps),
    authenticateDevice: (caller, credential) => authenticateDevice(caller, credential, core),
    now: () => core.clock.now(),
  };
  return { doc, tableName, core, options };
}
