import { describe, expect, it } from 'vitest';
import type { OutgoingEmail, SecurityEvent } from '../../../shared/domain/ports';
import {
  noticeWebhookChange,
  urlOrigin,
  type WebhookNoticeDeps,
  webhookChangedEmail,
} from '../../../shared/domain/rotation/webhook-notice';
import type { User } from '../../../shared/domain/users/model';
import { aUser, fixedClock } from '../../support/fakes';

function setup(admins: User[], allowance = 20) {
  const notified: Array<{ type: string; recipients: string[]; payload: Record<string, string> }> = [];
  const sent: OutgoingEmail[] = [];
  const logged: SecurityEvent[] = [];
  const taken = new Map<string, number>();
  const deps: WebhookNoticeDeps = {
    workspaceAdmins: async () => admins,
    notifier: {
      notify: async (type, recipients, payload) => {
        notified.push({ type, recipients, payload });
      },
    },
    emailQuota: {
      take: async (userId) => {
        const count = (taken.get(userId) ?? 0) + 1;
        taken.set(userId, count);
        return count <= allowance;
      },
      release: async () => undefined,
    },
    mailer: {
      send: async (email) => {
        sent.push(email);
        return { messageId: `m${sent.length}` };
      },
    },
    clock: fixedClock('2026-11-30T00:00:00.000Z'),
    security: { record: (event) => logged.push(event) },
  };
  return { deps, notified, sent, logged };
}

describe('webhook change notice', () => {
  const owner = aUser({ id: 'usr_owner', workspaceRole: 'owner', email: 'owner@acme.example' });
  const admin = aUser({ id: 'usr_admin', workspaceRole: 'admin', email: 'admin@acme.example' });
  const superAdmin = aUser({ id: 'usr_super', workspaceRole: 'super_admin', email: 'super@acme.example' });

  it('keeps only the origin of a URL: no path, query or credentials', () => {
    expect(urlOrigin('https://user:pw@hooks.example.com:8443/t/abc?token=xyz#f')).toBe(
      'https://hooks.example.com:8443',
    );
    expect(urlOrigin('not a url')).toBe('an unreadable URL');
  });

  it('tells the owners only while there is one, with the app, the actor and the origin', async () => {
    const { deps, notified, sent } = setup([owner, admin, superAdmin]);

    const told = await noticeWebhookChange(
      admin,
      'acme-ads',
      'updated',
      { url: 'https://new.example.net/p?k=1', previousUrl: 'https://old.example.com/q' },
      deps,
    );

    expect(told).toBe(1);
    expect(notified).toEqual([
      {
        type: 'app_webhook_changed',
        recipients: ['usr_owner'],
        payload: {
          appId: 'acme-ads',
          actorUserId: 'usr_admin',
          change: 'updated',
          origin: 'https://new.example.net',
        },
      },
    ]);
    expect(sent.map((email) => email.to)).toEqual(['owner@acme.example']);
    expect(sent[0]?.text).toContain(
      'now sent to: https://new.example.net (before: https://old.example.com).',
    );
    expect(sent[0]?.text).not.toContain('k=1');
  });

  it('falls back to the super admins and admins when the workspace has no owner', async () => {
    const { deps, notified, sent } = setup([admin, superAdmin]);

    await noticeWebhookChange(admin, 'vendor-portal', 'deleted', { url: 'https://old.example.com/' }, deps);

    expect(notified[0]?.recipients).toEqual(['usr_admin', 'usr_super']);
    expect(sent.map((email) => email.to)).toEqual(['admin@acme.example', 'super@acme.example']);
    expect(sent[0]?.subject).toContain('removed the webhook of Vendor Portal');
  });

  it('still notifies over the email cap, and logs the dropped email', async () => {
    const { deps, notified, sent, logged } = setup([owner], 0);

    await noticeWebhookChange(owner, 'acme-ads', 'created', { url: 'https://hooks.example.com/' }, deps);

    expect(notified).toHaveLength(1);
    expect(sent).toEqual([]);
    expect(logged).toContainEqual(
      expect.objectContaining({ event: 'email.capped', reason: 'security_alert' }),
    );
  });

  it('strips control and bidi characters from the actor shown in the email', () => {
    const email = webhookChangedEmail({
      to: 'owner@acme.example',
      actor: aUser({ name: 'Mallory\u202Egnp.exe\nInjected', email: 'm@acme.example' }),
      appName: 'Acme Ads',
      change: 'created',
      origin: 'https://hooks.example.com',
      at: new Date('2026-11-30T00:00:00.000Z'),
    });

    expect(email.subject).not.toMatch(/[\u202E\n]/);
    expect(email.subject).toContain('Mallorygnp.exe Injected (m@acme.example) set up a webhook for Acme Ads');
  });
});
