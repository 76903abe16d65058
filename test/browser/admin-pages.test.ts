import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueScimToken } from '../../shared/domain/identity/use-cases';
import type { User } from '../../shared/domain/users/model';
import { httpRuntime } from '../../shared/runtime/http';
import { client } from '../e2e/client';
import { extensionKey, registerKeyedExtension, trustedWebSession } from '../support/e2e-devices';
import {
  approveFromPhone,
  type BrowserStack,
  bootBrowserStack,
  capture,
  openPage,
  problemsOf,
  trustByCode,
  trustPhone,
} from './harness';

/**
 * The seeded owner's admin pages, against state seeded over the API as people would make it: a
 * SCIM-provisioned leaver who owned an account and was deactivated (an orphaned account), and Bob, a
 * member of an account of an app without a connector who received a login grant for it from his
 * extension (what a universal logout looks at). Bob also has the web app open in his own browser.
 */
describe('the web app: admin pages (people, orphaned accounts, rotate by hand, app webhooks)', () => {
  let env: BrowserStack;
  let computer: Page;
  let phone: Page;
  let bobsBrowser: Page;
  let api: ReturnType<typeof client>;
  let alice: { token: string; credential: string };
  const owner = 'alice@acme.example';
  const bob = 'bob@acme.example';
  const leaverEmail = `leaver-${randomUUID().slice(0, 6)}@acme.example`;
  let orphanId: string;
  let adsId: string;

  const as = (who: { token: string; credential: string }, body?: unknown) => ({
    token: who.token,
    device: who.credential,
    ...(body === undefined ? {} : { body }),
  });

  /** A SCIM-provisioned user owns "Ledger", then is deactivated: the account has no owner left. */
  async function seedOrphan() {
    const me = (await api.call('GET', '/v1/me', { token: alice.token })).body.user as User;
    const { token } = await issueScimToken(me, httpRuntime().deps);
    const scim = (method: string, path: string, body: unknown) =>
      api.call(method, `/scim/v2${path}`, {
        rawBody: JSON.stringify(body),
        type: 'application/scim+json',
        token,
      });
    const provisioned = await scim('POST', '/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: leaverEmail,
    });
    const leaver = await trustedWebSession(api, leaverEmail);
    const created = await api.call(
      'POST',
      '/v1/accounts',
      as(leaver, { appName: 'Ledger', username: 'books@acme.example', password: 'p@ss-Word-42' }),
    );
    const deactivated = await scim('PATCH', `/Users/${provisioned.body.id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', value: { active: false } }],
    });
    expect([provisioned.status, created.status, deactivated.status]).toEqual([201, 201, 200]);
    return created.body.account.id as string;
  }

  /** Alice's "Ads Console" (acme-ads: no connector) with Bob as collaborator, and a login grant to Bob. */
  async function seedGrantedAccount() {
    const created = await api.call(
      'POST',
      '/v1/accounts',
      as(alice, {
        appName: 'Ads Console',
        appId: 'acme-ads',
        username: 'ads@acme.example',
        password: 'Ads-pw-42',
      }),
    );
    const id = created.body.account.id as string;
    const bobWeb = await trustedWebSession(api, bob);
    const bobId = (await api.call('GET', '/v1/me', { token: bobWeb.token })).body.user.id as string;
    const added = await api.call(
      'PUT',
      `/v1/accounts/${id}/members/${bobId}`,
      as(alice, { role: 'collaborator' }),
    );
    const extension = await registerKeyedExtension(
      api,
      { token: bobWeb.token, email: bob },
      (await extensionKey()).jwk,
    );
    const granted = await api.call('POST', `/v1/accounts/${id}/login-grants`, {
      token: bobWeb.token,
      device: extension.credential,
    });
    expect([created.status, added.status < 300, granted.status]).toEqual([201, true, 201]);
    return id;
  }

  beforeAll(async () => {
    env = await bootBrowserStack();
    api = client(env.stack);
    alice = await trustedWebSession(api, owner);
    orphanId = await seedOrphan();
    adsId = await seedGrantedAccount();
    bobsBrowser = await openPage(await env.context(), '/');
    await trustByCode(env.stack, bobsBrowser, bob, { hasTrustedDevice: true });
    computer = await openPage(await env.context(), '/');
    await trustByCode(env.stack, computer, owner, { hasTrustedDevice: true });
    phone = await trustPhone(env, owner);
  });
  afterAll(async () => {
    await env?.stop();
  });

  const adminPage = async (label: string) => {
    await computer.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
    await computer
      .getByRole('navigation', { name: 'Administration' })
      .getByRole('link', { name: label })
      .click();
    await computer.getByRole('heading', { name: label, level: 1 }).waitFor();
  };

  it('shows the Admin link to admins only, and names a new owner of an orphaned account', async () => {
    const bobsNav = await bobsBrowser
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link')
      .allTextContents();
    await adminPage('Orphaned accounts');
    const card = computer
      .getByRole('listitem')
      .filter({ has: computer.getByRole('heading', { name: 'Ledger' }) });
    await card.getByText(`${leaverEmail} (deprovisioned)`, { exact: true }).waitFor();
    await card.getByLabel('New owner of Ledger').selectOption({ label: 'Carol Admin (carol@acme.example)' });
    await capture(computer, 'admin-orphaned-accounts');
    await card.getByRole('button', { name: 'Make owner' }).click();

    await computer.getByRole('status').filter({ hasText: 'Carol Admin now owns Ledger.' }).waitFor();
    await computer.getByText('No orphaned accounts.').waitFor();
    const listed = await api.call('GET', '/v1/workspace/orphaned-accounts', as(alice));
    const carol = (await api.call('GET', '/v1/users?q=carol', as(alice))).body.items[0];
    const reassignAgain = await api.call(
      'PUT',
      `/v1/workspace/orphaned-accounts/${orphanId}/owner`,
      as(alice, { userId: carol.id }),
    );
    expect(bobsNav).toContain('Accounts');
    expect(bobsNav).not.toContain('Admin');
    expect(listed.body.items).toEqual([]);
    // Carol owns it now: naming an owner again is refused.
    expect(reassignAgain).toMatchObject({ status: 409, body: { error: 'account_not_orphaned' } });
    expect(problemsOf(computer)).toEqual([]);
  });

  it('logs Bob out everywhere from the People page after a second click and the phone, and shows what it did', async () => {
    await adminPage('People');
    const row = computer.getByRole('listitem', { name: `Bob User (${bob})` });
    await row.getByRole('button', { name: /Log out everywhere/ }).click();
    await row.getByRole('group', { name: 'Log out Bob User everywhere?' }).waitFor();
    await capture(computer, 'admin-people-confirm');
    await row.getByRole('button', { name: 'Yes, log out Bob User everywhere' }).click();
    await approveFromPhone(computer, phone, 'Log a user out everywhere');

    const outcome = row.getByTestId('logout-outcome');
    await outcome.waitFor({ timeout: 15_000 });
    const text = await outcome.textContent();
    await bobsBrowser.reload();
    const aliceRow = computer.getByRole('listitem', { name: `Alice Owner (${owner})` });

    // Bob's web session (API), his extension and his browser.
    expect(text).toContain('Bob User is logged out everywhere: 3 devices signed out.');
    expect(text).toContain('0 password rotations queued');
    expect(text).toContain('1 account to rotate by hand: Ads Console');
    expect(await aliceRow.getByRole('button', { name: /Log out everywhere/ }).count()).toBe(0);
    // Bob's open browser is no longer trusted: on the next load it asks to be trusted again.
    await bobsBrowser.getByRole('heading', { name: 'Trust this device', level: 1 }).waitFor();
    expect(await bobsBrowser.getByRole('navigation', { name: 'Main' }).count()).toBe(0);
  });

  it('lists the account to rotate by hand with who knew it, and takes it off the list', async () => {
    await computer.getByRole('link', { name: 'see the list' }).click();
    await computer.getByRole('heading', { name: 'Rotate by hand', level: 1 }).waitFor();
    const entry = computer.getByRole('row', { name: /Ads Console/ });
    await entry.getByText('Bob User').waitFor();
    const because = await entry.getByRole('cell').nth(1).textContent();
    await capture(computer, 'admin-rotate-by-hand');
    await entry.getByRole('button', { name: 'Mark rotated (Ads Console)' }).click();

    await computer.getByRole('status').filter({ hasText: 'Ads Console is off the list.' }).waitFor();
    await entry.waitFor({ state: 'detached' });
    const listed = await api.call('GET', '/v1/workspace/rotate-by-hand', as(alice));
    // (The leaver's "Ledger" may stay listed: his deprovisioning put it there, and it is not cleared.)
    expect(because).toBe('universal logout');
    expect(listed.body.items.map((item: { accountId: string }) => item.accountId)).not.toContain(adsId);
  });

  it('sets an app webhook (its secret shown once), shows a refused URL with its error code, and removes it', async () => {
    await adminPage('App webhooks');
    const card = computer.getByRole('region', { name: 'Vendor Portal' });
    await card.getByText('No webhook').waitFor();
    const setWebhook = async (url: string) => {
      await card.getByLabel('Webhook URL for Vendor Portal').fill(url);
      await card.getByRole('button', { name: 'Set webhook' }).click();
      await approveFromPhone(computer, phone, "Change an app's rotation webhook");
    };

    await setWebhook('http://127.0.0.1:9/hook');
    const refused = card.getByRole('alert');
    await refused.waitFor({ timeout: 15_000 });
    const refusedText = await refused.textContent();

    await setWebhook('https://hooks.acme.example/latchkey');
    const secret = card.getByTestId('webhook-secret');
    await secret.waitFor({ timeout: 15_000 });
    const shown = await secret.textContent();
    await card.getByText('https://hooks.acme.example/latchkey', { exact: true }).waitFor();
    await capture(computer, 'admin-app-webhooks');
    const stored = await api.call('GET', '/v1/apps/vendor-portal/webhook', as(alice));
    await computer.reload();
    await card.getByRole('button', { name: 'Save webhook' }).waitFor();
    const secretsAfterReload = await card.getByTestId('webhook-secret').count();

    await card.getByRole('button', { name: 'Remove webhook (Vendor Portal)' }).click();
    await approveFromPhone(computer, phone, "Change an app's rotation webhook");
    await card.getByRole('status').filter({ hasText: 'Webhook removed.' }).waitFor({ timeout: 15_000 });
    await card.getByText('No webhook').waitFor();
    const removed = await api.call('GET', '/v1/apps/vendor-portal/webhook', as(alice));

    expect(refusedText).toContain('The webhook URL is refused: not HTTPS');
    expect(refusedText).toContain('webhook_url_refused');
    expect(shown).toMatch(/^whsec_/);
    expect(stored.body.webhook).toMatchObject({ url: 'https://hooks.acme.example/latchkey' });
    expect(JSON.stringify(stored.body)).not.toContain(shown);
    expect(secretsAfterReload).toBe(0);
    expect(removed.status).toBe(404);
    expect(problemsOf(computer)).toEqual([]);
    expect(problemsOf(phone)).toEqual([]);
  });
});
