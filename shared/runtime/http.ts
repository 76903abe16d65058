import { CALL_BUDGETS } from '../adapters/aws/call-budget';
import { makeChallengeRepository } from '../adapters/dynamodb/challenge-repository';
import { makeEmailQuota } from '../adapters/dynamodb/email-quota';
import { joseDeviceKeys } from '../adapters/jose/device-keys';
import { makeSesMailer } from '../adapters/ses/mailer';
import { ENV, optionalEnv, requireEnv } from '../config/env';
import { defaultDeviceEmails } from '../domain/devices/emails';
import type { DeviceDeps } from '../domain/devices/use-cases';
import { defaultIdentityEmails } from '../domain/identity/emails';
import type { IdentityDeps } from '../domain/identity/use-cases';
import type { NotifyDeps } from '../domain/notifications/use-cases';
import type { GroupOptions } from '../http/handler';
import { confirmationCheck } from '../http/identity-confirmation';
import { sesClient } from './aws-clients';
import { httpCore } from './core';
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
  const deps = {
    // The core's full repositories win over the narrower ones notify() asks for.
    ...notifications.deps,
    ...core,
    mailer: makeSesMailer(sesClient('request'), {
      from: requireEnv(ENV.emailFrom),
      budget: CALL_BUDGETS.request,
      ...(optionalEnv(ENV.sesConfigurationSet)
        ? { configurationSet: optionalEnv(ENV.sesConfigurationSet) }
        : {}),
    }),
    notifier: notifications.notifier,
    emails: defaultDeviceEmails,
    deviceKeys: joseDeviceKeys,
    challenges,
    emailQuota: makeEmailQuota(doc, tableName),
    notificationSettings: notifications.deps.settings,
    workspaceAdmins: (workspaceId: string) => challenges.workspaceAdmins(workspaceId),
    identityEmails: defaultIdentityEmails,
    webBaseUrl: optionalEnv(ENV.webBaseUrl),
  } satisfies DeviceDeps & NotifyDeps & IdentityDeps;
  return {
    doc,
    tableName,
    deps,
    options: { ...options, confirm: confirmationCheck(deps) } satisfies GroupOptions,
  };
}
