import { makeChallengeRepository } from '../adapters/dynamodb/challenge-repository';
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
 * The core plus notifications, email and identity confirmation: for the groups that send, notify or
 * guard routes with a confirmation. Throws naming the missing variable when the config is incomplete.
 */
export function httpRuntime() {
  const { doc, tableName, core, options } = httpCore();
  const notifications = makeNotifier(doc, tableName);
  const challenges = makeChallengeRepository(doc, tableName);
  const mailOutbox = makeMailOutbox(sharedKeyring(), core);
  const deps = {
    // The core's full repositories win over the narrower ones notify() asks for.
    ...notifications.deps,
    ...core,
    // Every email of a request goes out through the outbox (sealed): no SES call inside a request.
    mailOutbox,
    mailer: makeOutboxMailer(doc, tableName, mailOutbox),
    notifier: notifications.notifier,
    emails: defaultDeviceEmails,
    challenges,
    emailQuota: makeEmailQuota(doc, tableName),
    notificationSettings: notifications.deps.settings,
    workspaceAdmins: (workspaceId: string) => challenges.workspaceAdmins(workspaceId),
    identityEmails: defaultIdentityEmails,
    webBaseUrl: optionalEnv(ENV.webBaseUrl),
  } satisfies Omit<DeviceDeps, 'deviceKeys'> & NotifyDeps & IdentityDeps;
  return {
    doc,
    tableName,
    deps,
    options: { ...options, confirm: confirmationCheck(deps) } satisfies GroupOptions,
  };
}
