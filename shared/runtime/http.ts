import { makeChallengeRepository } from '../adapters/dynamodb/challenge-repository';
import { makeDeviceRepository } from '../adapters/dynamodb/device-repository';
import { makeEmailQuota } from '../adapters/dynamodb/email-quota';
import { makeMailOutbox, makeOutboxMailer } from '../adapters/dynamodb/outbox-mail';
import { ENV, optionalEnv } from '../config/env';
import { defaultDeviceEmails } from '../domain/devices/emails';
import type { DeviceDeps } from '../domain/devices/use-cases';
import { defaultIdentityEmails } from '../domain/identity/emails';
import type { IdentityDeps } from '../domain/identity/use-cases';
import type { NotifyDeps } from '../domain/notifications/use-cases';
import type { GroupOptions } from '../http/handler';
import { confirmationCheck } from '../http/identity-confirmation';
import { httpCore } from './core';
import { sharedKeyring } from './keyring';
import { makeNotifier } from './notify';

export { httpCore } from './core';

/**
 * The core plus what an identity confirmation needs (challenges, notifications, email) and nothing
 * else: for the groups whose routes may ask for a confirmation but never enrol or change devices (the
 * device reads of the core suffice; bundle budget, docs/performance.md). Throws naming the missing
 * variable when the config is incomplete.
 */
export function confirmingRuntime() {
  const { doc, tableName, core, options } = httpCore();
  const notifications = makeNotifier(doc, tableName);
  const challenges = makeChallengeRepository(doc, tableName);
  const mailOutbox = makeMailOutbox(sharedKeyring(), core);
  const deps = {
    ...notifications.deps,
    ...core,
    // Every email of a request goes out through the outbox (sealed): no SES call inside a request.
    mailOutbox,
    mailer: makeOutboxMailer(doc, tableName, mailOutbox),
    notifier: notifications.notifier,
    challenges,
    emailQuota: makeEmailQuota(doc, tableName),
    notificationSettings: notifications.deps.settings,
    identityEmails: defaultIdentityEmails,
    webBaseUrl: optionalEnv(ENV.webBaseUrl),
  } satisfies NotifyDeps & IdentityDeps;
  return {
    doc,
    tableName,
    deps,
    options: { ...options, confirm: confirmationCheck(deps) } satisfies GroupOptions,
  };
}

/**
 * The confirming runtime plus the full device repository and the device emails: for the groups that
 * send, notify, enrol or change devices. Throws naming the missing variable when the config is incomplete.
 */
export function httpRuntime() {
  const runtime = confirmingRuntime();
  const { doc, tableName, deps: confirming } = runtime;
  const deps = {
    ...confirming,
    devices: makeDeviceRepository(doc, tableName),
    emails: defaultDeviceEmails,
    workspaceAdmins: (workspaceId: string) => confirming.challenges.workspaceAdmins(workspaceId),
  } satisfies Omit<DeviceDeps, 'deviceKeys'> & NotifyDeps & IdentityDeps;
  return { ...runtime, deps };
}
