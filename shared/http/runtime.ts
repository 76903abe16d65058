import { makeHmac } from '../adapters/crypto/hmac';
import { sharedDocumentClient } from '../adapters/dynamodb/client';
import { makeDeviceRepository } from '../adapters/dynamodb/device-repository';
import { makeNotificationRepository } from '../adapters/dynamodb/notification-repository';
import { makeUserRepository } from '../adapters/dynamodb/user-repository';
import { newId, systemClock } from '../adapters/ids';
import { kmsDerivedKey } from '../adapters/kms/hmac-key';
import { securityLog } from '../adapters/security-log';
import { sharedMailer } from '../adapters/ses/mailer';
import { sharedPushQueue } from '../adapters/sqs/shared-queue';
import { DEFAULTS, ENV, MissingConfigError, optionalEnv, positiveIntEnv, requireEnv } from '../config/env';
import { defaultDeviceEmails } from '../domain/devices/emails';
import { authenticateDevice, type DeviceDeps } from '../domain/devices/use-cases';
import { type NotifyDeps, notify } from '../domain/notifications/use-cases';
import { resolveCaller } from '../domain/users/resolve-caller';
import { logger } from '../observability';
import type { Hmac } from '../ports';
import type { GroupOptions } from './handler';

/** The server HMAC key: derived from KMS in AWS, given directly (hex) by the local runtime. */
function serverHmac(): Hmac {
  const keyId = optionalEnv(ENV.hmacKeyId);
  if (keyId) return makeHmac(kmsDerivedKey(keyId, { region: process.env.AWS_REGION ?? 'us-east-1' }));
  const local = optionalEnv(ENV.localHmacKey);
  if (local && /^[0-9a-f]{64,}$/i.test(local)) return makeHmac(async () => Buffer.from(local, 'hex'));
  throw new MissingConfigError(`${ENV.hmacKeyId} (or ${ENV.localHmacKey} locally)`);
}

/**
 * Everything an HTTP group needs, built once per container from the environment (cold start) and
 * shared by every invocation. Throws naming the missing variable when the config is incomplete.
 */
export function httpRuntime() {
  const tableName = requireEnv(ENV.tableName);
  const doc = sharedDocumentClient();
  const users = makeUserRepository(doc, tableName);
  const devices = makeDeviceRepository(doc, tableName);
  const { settings, inbox } = makeNotificationRepository(doc, tableName);
  const queue = sharedPushQueue();
  const base = {
    users,
    devices,
    settings,
    inbox,
    queue,
    clock: systemClock,
    newId,
    log: (message: string, fields: Record<string, unknown>) => logger.info(message, fields),
  };
  const deps = {
    ...base,
    mailer: sharedMailer(),
    notifier: {
      notify: async (type, recipients, payload) => void (await notify(type, recipients, payload, base)),
    },
    hmac: serverHmac(),
    security: securityLog,
    emails: defaultDeviceEmails,
  } satisfies DeviceDeps & NotifyDeps;
  const options: GroupOptions = {
    maxBodyBytes: positiveIntEnv(ENV.maxBodyBytes, DEFAULTS.maxBodyBytes),
    workspaceClaim: optionalEnv(ENV.workspaceClaim) ?? DEFAULTS.workspaceClaim,
    resolveCaller: (identity) => resolveCaller(identity, deps),
    authenticateDevice: (caller, credential) => authenticateDevice(caller, credential, deps),
    now: () => deps.clock.now(),
  };
  return { doc, tableName, deps, options };
}
