import { type EmailCapDeps, sendNotice } from '../email-caps';
import type { Notifier, OutgoingEmail } from '../ports';
import { cleanLabel } from '../text/sanitize';
import type { User } from '../users/model';
import { findApp } from './apps';

export type WebhookChange = 'created' | 'updated' | 'deleted';

/** What telling the owners about a webhook change needs (the notification list, push, capped email). */
export interface WebhookNoticeDeps extends EmailCapDeps {
  notifier: Notifier;
  /** Active owners, super admins and admins of the workspace. */
  workspaceAdmins(workspaceId: string): Promise<User[]>;
}

/**
 * Only the scheme, host and port: a path or query may carry the customer's own token (a Zapier or
 * Slack style URL), and the owners need to know *where* passwords go, not how to call it.
 */
export function urlOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'an unreadable URL';
  }
}

const VERB: Record<WebhookChange, string> = {
  created: 'set up a webhook for',
  updated: 'changed the webhook URL of',
  deleted: 'removed the webhook of',
};

export function webhookChangedEmail(input: {
  to: string;
  actor: User;
  appName: string;
  change: WebhookChange;
  origin: string;
  previousOrigin?: string | undefined;
  at: Date;
}): OutgoingEmail {
  const { actor, appName, change, origin, previousOrigin } = input;
  const who = `${cleanLabel(actor.name).text} (${cleanLabel(actor.email).text})`;
  const where =
    change === 'deleted'
      ? `Rotations of ${appName} accounts are refused until a webhook is configured again (it sent them to ${origin}).`
      : `New passwords of ${appName} accounts in your workspace are now sent to: ${origin}` +
        (previousOrigin && previousOrigin !== origin ? ` (before: ${previousOrigin}).` : '.');
  return {
    to: input.to,
    subject: `Latchkey: ${who} ${VERB[change]} ${appName}`,
    text:
      `${who} ${VERB[change]} ${appName} at ${input.at.toISOString()}.\n\n${where}\n\n` +
      'Each rotation sends the new password of an account to this endpoint. If you did not expect ' +
      'this change, check the webhook (GET /v1/apps/{appId}/webhook) and the admin who made it now.',
  };
}

/**
 * A webhook decides where rotated passwords go: whenever one is set up, pointed elsewhere or removed,
 * the workspace owners (the super admins and admins when no owner is left) get an
 * `app_webhook_changed` notification (list and push, under the workspace policy) and an email within
 * the security-alert cap. The actor is told too when they are an owner (a hijacked session is exactly
 * what this notice is for). Never the signing secret: only the app, the actor and the URL's origin.
 */
export async function noticeWebhookChange(
  actor: User,
  appId: string,
  change: WebhookChange,
  urls: { url: string; previousUrl?: string | undefined },
  deps: WebhookNoticeDeps,
): Promise<number> {
  const admins = await deps.workspaceAdmins(actor.workspaceId);
  const owners = admins.filter((admin) => admin.workspaceRole === 'owner');
  const recipients = owners.length > 0 ? owners : admins;
  const origin = urlOrigin(urls.url);
  await deps.notifier.notify(
    'app_webhook_changed',
    recipients.map((user) => user.id),
    { appId, actorUserId: actor.id, change, origin },
  );
  const appName = findApp(appId)?.name ?? appId;
  const at = deps.clock.now();
  const previousOrigin = urls.previousUrl ? urlOrigin(urls.previousUrl) : undefined;
  for (const owner of recipients) {
    const email = webhookChangedEmail({
      to: owner.email,
      actor,
      appName,
      change,
      origin,
      previousOrigin,
      at,
    });
    await sendNotice(deps, owner.id, 'security_alert', email);
  }
  return recipients.length;
}
