import type { Account, EncryptedSecret } from '../accounts/model';
import { DomainError, NotFoundError } from '../errors';
import type { Clock, Keyring, SecurityLog } from '../ports';
import type { User } from '../users/model';
import { type AppCapabilities, effectiveCapabilities, findApp } from './apps';
import { noticeWebhookChange, type WebhookNoticeDeps } from './webhook-notice';

/**
 * The `webhook` connector's configuration: for a catalogue app Latchkey does not automate, a
 * workspace's admins name an HTTPS endpoint of theirs; rotations of that app's accounts are sent
 * there, signed with a secret Latchkey generates (returned once, stored sealed).
 */
export interface AppWebhook {
  workspaceId: string;
  appId: string;
  url: string;
  /** The signing secret, sealed under the keyring (context: workspace, app, purpose). */
  secret: EncryptedSecret;
  secretCreatedAt: string;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  rev: number;
}

export interface AppWebhookRepository {
  get(workspaceId: string, appId: string): Promise<AppWebhook | undefined>;
  /** The ids of the apps the workspace configured a webhook for (one query, no secrets read). */
  appIds(workspaceId: string): Promise<string[]>;
  /** Writes `next` only if the stored one still has `expectedRev` (`undefined`: none may exist). */
  put(next: AppWebhook, expectedRev: number | undefined): Promise<boolean>;
  /** Removes it; false when there was none. */
  remove(workspaceId: string, appId: string): Promise<boolean>;
}

export const webhookSecretContext = (workspaceId: string, appId: string) => ({
  workspaceId,
  appId,
  purpose: 'app-webhook-secret',
});

export class WebhookUrlRefusedError extends DomainError {
  constructor(reason: string) {
    super(`The webhook URL is refused: ${reason}. Use a public HTTPS endpoint.`, { reason });
  }
}

export class AppHasConnectorError extends DomainError {
  constructor(appId: string) {
    super(`The app ${appId} has its own connector: a webhook is only for apps Latchkey does not automate.`);
  }
}

export class WebhookConflictError extends DomainError {
  constructor() {
    super('The webhook changed while this request ran: read it again and retry.');
  }
}

export interface WebhookDeps extends WebhookNoticeDeps {
  webhooks: AppWebhookRepository;
  keyring: Keyring;
  clock: Clock;
  security: SecurityLog;
  /** Why the URL is refused (HTTPS, no private address literal...), or undefined when it may be used. */
  checkUrl(url: string): string | undefined;
  newSecret(): string;
}

/** The catalogue app a webhook may be configured for: one that exists and has no connector of its own. */
function webhookApp(appId: string) {
  const app = findApp(appId);
  if (!app) throw new NotFoundError('No such app.');
  if (app.connector) throw new AppHasConnectorError(appId);
  return app;
}

export type WebhookView = Omit<AppWebhook, 'secret' | 'rev' | 'workspaceId'>;

export function toWebhookView(webhook: AppWebhook): WebhookView {
  const { secret: _secret, rev: _rev, workspaceId: _workspace, ...view } = webhook;
  return view;
}

/**
 * `PUT /v1/apps/{appId}/webhook`: creates the webhook (a secret is generated) or changes its URL;
 * `rotateSecret` replaces the secret. The clear secret is in the answer only when it was generated.
 */
export async function putAppWebhook(
  caller: User,
  appId: string,
  input: { url: string; rotateSecret?: boolean | undefined },
  deps: WebhookDeps,
): Promise<{ webhook: WebhookView; secret?: string }> {
  webhookApp(appId);
  const refused = deps.checkUrl(input.url);
  if (refused) throw new WebhookUrlRefusedError(refused);
  const existing = await deps.webhooks.get(caller.workspaceId, appId);
  const now = deps.clock.now().toISOString();
  const secret = !existing || input.rotateSecret ? deps.newSecret() : undefined;
  const next: AppWebhook = {
    workspaceId: caller.workspaceId,
    appId,
    url: input.url,
    secret: secret
      ? await deps.keyring.seal(secret, webhookSecretContext(caller.workspaceId, appId))
      : (existing as AppWebhook).secret,
    secretCreatedAt: secret ? now : (existing as AppWebhook).secretCreatedAt,
    createdBy: existing?.createdBy ?? caller.id,
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
    rev: (existing?.rev ?? 0) + 1,
  };
  if (!(await deps.webhooks.put(next, existing?.rev))) throw new WebhookConflictError();
  deps.security.record({
    event: existing ? (secret ? 'webhook.secret_rotated' : 'webhook.updated') : 'webhook.created',
    outcome: 'success',
    userId: caller.id,
    reason: appId,
  });
  // Where passwords go changed: the owners are told (a new secret alone sends them nowhere new).
  if (!existing || existing.url !== next.url) {
    await noticeWebhookChange(
      caller,
      appId,
      existing ? 'updated' : 'created',
      { url: next.url, previousUrl: existing?.url },
      deps,
    );
  }
  return { webhook: toWebhookView(next), ...(secret ? { secret } : {}) };
}

export async function getAppWebhook(caller: User, appId: string, deps: Pick<WebhookDeps, 'webhooks'>) {
  webhookApp(appId);
  const webhook = await deps.webhooks.get(caller.workspaceId, appId);
  if (!webhook) throw new NotFoundError('No webhook is configured for this app.');
  return toWebhookView(webhook);
}

export async function deleteAppWebhook(caller: User, appId: string, deps: WebhookDeps): Promise<void> {
  webhookApp(appId);
  // Read first only to name the origin that stops receiving passwords in the owners' notice.
  const existing = await deps.webhooks.get(caller.workspaceId, appId);
  if (!existing || !(await deps.webhooks.remove(caller.workspaceId, appId))) {
    throw new NotFoundError('No webhook is configured for this app.');
  }
  deps.security.record({ event: 'webhook.deleted', outcome: 'success', userId: caller.id, reason: appId });
  await noticeWebhookChange(caller, appId, 'deleted', { url: existing.url }, deps);
}

/** The catalogue app whose rotation would go through a webhook: no connector, so no rotation of its own. */
function webhookAppOf(account: Pick<Account, 'capabilities' | 'appId'>): string | undefined {
  if (effectiveCapabilities(account).passwordRotation) return undefined;
  const app = findApp(account.appId);
  return app && !app.connector ? app.id : undefined;
}

/**
 * Whether the account's password can be rotated: its catalogue app has a connector, or its workspace
 * configured a webhook for that app.
 */
export async function rotationSupported(
  account: Pick<Account, 'capabilities' | 'appId' | 'workspaceId'>,
  webhooks: Pick<AppWebhookRepository, 'get'> | undefined,
): Promise<boolean> {
  if (effectiveCapabilities(account).passwordRotation) return true;
  const appId = webhookAppOf(account);
  if (!appId || !webhooks) return false;
  return (await webhooks.get(account.workspaceId, appId)) !== undefined;
}

/**
 * What account views show as capabilities, in agreement with `rotationSupported`: the catalogue's,
 * with `passwordRotation` on where the workspace configured a webhook for the app. Built for a page of
 * accounts of one workspace at a fixed cost: no read when no account names an app without a
 * connector, otherwise one query for the workspace's webhooks (not one read per account).
 */
export async function viewCapabilities(
  workspaceId: string,
  accounts: ReadonlyArray<Pick<Account, 'capabilities' | 'appId' | 'workspaceId'>>,
  webhooks: Pick<AppWebhookRepository, 'appIds'> | undefined,
): Promise<(account: Pick<Account, 'capabilities' | 'appId' | 'workspaceId'>) => AppCapabilities> {
  const needed = webhooks && accounts.some((a) => a.workspaceId === workspaceId && webhookAppOf(a));
  const configured = new Set(needed ? await webhooks.appIds(workspaceId) : []);
  return (account) => {
    const capabilities = effectiveCapabilities(account);
    const appId = account.workspaceId === workspaceId ? webhookAppOf(account) : undefined;
    return appId && configured.has(appId) ? { ...capabilities, passwordRotation: true } : capabilities;
  };
}
