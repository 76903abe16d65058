/**
 * The identity-confirmation action registry: every sensitive action the product documents, with a
 * stable id that a route names in its manifest entry (`confirm: 'password.view'`). The middleware
 * does the rest, so a route added later only names its action.
 */
export interface ConfirmationAction {
  /** What the person approving reads on their phone and in the email. */
  label: string;
  /** `workspace`: the resource is the caller's workspace; `route`: the route's path parameters. */
  scope: 'workspace' | 'route';
  /** Confirmed only when this workspace setting is on; absent means always confirmed. */
  onlyWhen?: 'confirmSecretViews';
}

export const CONFIRMATION_ACTIONS = {
  'secret.attachments.manage': { label: "Manage a secret's attachments", scope: 'route' },
  'secret.delete': { label: 'Delete a secret', scope: 'route' },
  'secret.edit': { label: 'Edit a secret', scope: 'route' },
  'secret.view': { label: 'View a secret', scope: 'route', onlyWhen: 'confirmSecretViews' },
  /** Viewing an account password is always confirmed, whatever `confirmSecretViews` says. */
  'password.view': { label: 'View an account password', scope: 'route' },
  /** A previous (or pending) password version: always confirmed, bound to the account and version. */
  'password.history.view': { label: "View an account's password history", scope: 'route' },
  'secret.history.view': { label: "View a secret's history", scope: 'route' },
  'secret.history.restore': { label: 'Restore a secret from its history', scope: 'route' },
  'secret.share': { label: 'Share a secret', scope: 'route' },
  'items.share_link': { label: 'Share items by link', scope: 'route' },
  'app.remove': { label: 'Remove an app', scope: 'route' },
  /** Where rotated passwords of an app are sent, and the secret that signs them. */
  'app.webhook.manage': { label: "Change an app's rotation webhook", scope: 'route' },
  'scim_token.retrieve': { label: 'Retrieve the SCIM token', scope: 'workspace' },
  'vault.create': { label: 'Create a vault', scope: 'workspace' },
  'vault.manage': { label: 'Manage a vault', scope: 'route' },
  /** A stolen credential that re-keys a trusted device would receive every later login grant. */
  'device.public_key.set': { label: "Set a device's encryption key", scope: 'route' },
  /** Ends every session of another user and rotates what they saw: bound to the user. */
  'user.universal_logout': { label: 'Log a user out everywhere', scope: 'route' },
} as const satisfies Record<string, ConfirmationAction>;

export type ConfirmationActionId = keyof typeof CONFIRMATION_ACTIONS;
export const CONFIRMATION_ACTION_IDS = Object.keys(CONFIRMATION_ACTIONS) as ConfirmationActionId[];

export function isConfirmationAction(value: string): value is ConfirmationActionId {
  return Object.hasOwn(CONFIRMATION_ACTIONS, value);
}

export function actionOf(id: string): ConfirmationAction {
  if (!isConfirmationAction(id)) throw new Error(`unknown identity-confirmation action ${id}`);
  return CONFIRMATION_ACTIONS[id];
}

/** Whether the action needs a confirmation under these workspace settings. */
export function requiresConfirmation(id: string, settings: { confirmSecretViews: boolean }): boolean {
  const action: ConfirmationAction = actionOf(id);
  return action.onlyWhen === undefined || settings[action.onlyWhen];
}

/**
 * The resource a challenge is bound to: the workspace for workspace actions, otherwise the route's
 * path parameters in a canonical form (`id=acc_1`); a route without parameters falls back to the
 * workspace. A confirmation for one resource is useless for any other.
 */
export function resourceOf(id: string, params: unknown, workspaceId: string): string {
  const action: ConfirmationAction = actionOf(id);
  const entries =
    params && typeof params === 'object'
      ? Object.entries(params as Record<string, unknown>)
          .filter(([, value]) => typeof value === 'string' || typeof value === 'number')
          .sort(([a], [b]) => a.localeCompare(b))
      : [];
  if (action.scope === 'workspace' || entries.length === 0) return `workspace=${workspaceId}`;
  return entries.map(([key, value]) => `${key}=${String(value)}`).join('&');
}
