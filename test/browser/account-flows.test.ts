import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
 * One person (the seeded owner) on two screens: the computer (a trusted web device) and the phone view
 * in a second browser context (a trusted `mobile` device), plus a third, signed-out browser for the
 * magic link.
 */
describe('the web app: accounts, inbox, identity confirmation', () => {
  let env: BrowserStack;
  let computer: Page;
  const owner = 'alice@acme.example';

  beforeAll(async () => {
    env = await bootBrowserStack();
    computer = await openPage(await env.context(), '/');
    await trustByCode(env.stack, computer, owner);
  });
  afterAll(async () => {
    await env?.stop();
  });

  async function addAccount(appName: string, options: { sms?: boolean } = {}) {
    await computer.goto('/accounts');
    await computer.getByLabel('App name').fill(appName);
    await computer.getByLabel('Username').fill(`${appName.toLowerCase()}@acme.example`);
    await computer.getByLabel('Password', { exact: true }).fill(`pw-${appName}-42`);
    if (options.sms) await computer.getByLabel(/sends codes by SMS/).check();
    await computer.getByRole('button', { name: 'Add account' }).click();
    await computer.getByRole('link', { name: appName }).click();
    await computer.getByRole('heading', { name: appName, level: 1 }).waitFor();
  }

  it('shows an SMS code in the shared inbox without a reload, copyable in one click, and a TOTP code with its countdown', async () => {
    await addAccount('Ads', { sms: true });
    await computer.getByRole('button', { name: 'Get a managed number' }).click();
    const number = computer.getByTestId('managed-phone');
    await expect.poll(() => number.textContent(), { timeout: 15_000 }).toMatch(/^\+\d+$/);
    const code = String(100000 + Math.floor(Math.random() * 800000));

    const sent = await fetch(`${env.stack.apiUrl}/_local/inbound/sms`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        from: '+12025550123',
        to: await number.textContent(),
        body: `Your Ads code is ${code}.`,
        inboundMessageId: randomUUID(),
      }),
    });
    await computer.getByTestId('inbox-code').filter({ hasText: code }).waitFor({ timeout: 15_000 });
    await computer.getByRole('button', { name: `Copy code ${code}` }).click();
    const copied = await computer.evaluate<string>('navigator.clipboard.readText()');

    await computer.getByLabel('Setup key or otpauth:// link').fill('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP');
    await computer.getByRole('button', { name: 'Save authenticator' }).click();
    const totp = computer.getByTestId('totp-code');
    await totp.waitFor();
    const countdown = Number(await computer.getByTestId('totp-countdown').textContent());
    await capture(computer, 'account');

    expect(sent.status).toBe(202);
    expect(copied).toBe(code);
    expect(await totp.textContent()).toMatch(/^\d{6}$/);
    expect(countdown).toBeGreaterThan(0);
    expect(countdown).toBeLessThanOrEqual(30);
    expect(problemsOf(computer)).toEqual([]);
  });

  it('views a password through the confirmation dialog, answered with the right number from the phone view', async () => {
    const phone = await trustPhone(env, owner);
    await capture(phone, 'phone');
    await addAccount('Crm');

    await computer.getByRole('button', { name: 'View password' }).click();
    const dialog = computer.getByRole('dialog', { name: 'Confirm your identity' });
    const { shown, candidates } = await approveFromPhone(
      computer,
      phone,
      'View an account password',
      'confirm-dialog',
    );

    await computer.getByTestId('password').waitFor({ timeout: 15_000 });
    expect(shown).toMatch(/^\d{2}$/);
    expect(candidates).toHaveLength(3);
    expect(candidates).toContain(shown);
    expect(await computer.getByTestId('password').textContent()).toBe('pw-Crm-42');
    expect(await dialog.count()).toBe(0);
    expect(problemsOf(phone)).toEqual([]);
  });

  it('confirms by the magic link opened from the email: the page approves only on the button', async () => {
    await computer.goto('/workspace');
    await computer.getByRole('checkbox', { name: 'Email magic link' }).check();
    await computer.getByRole('button', { name: 'Save identity confirmation' }).click();
    await computer.getByText('Saved.').waitFor();
    await addAccount('Wiki');
    await computer.getByRole('button', { name: 'View password' }).click();
    await computer.getByRole('button', { name: 'Email me a link instead' }).click();

    let link = '';
    await expect
      .poll(async () => {
        const mail = (await env.stack.sentEmails())
          .filter((m) => m.destination.to.includes(owner) && /Confirm your identity/.test(m.subject))
          .at(-1);
        link = /(http:\/\/localhost:\d+\/confirm#[\w-]+)/.exec(mail?.body.text ?? '')?.[1] ?? '';
        return link;
      })
      .toMatch(env.web.url);
    const stranger = await openPage(await env.context(), link);
    await stranger.getByText('View an account password').waitFor();
    await capture(stranger, 'magic-link');
    // Opening the link changed nothing: the computer is still waiting.
    await stranger.waitForTimeout(2500);
    expect(await computer.getByTestId('password').count()).toBe(0);
    await stranger.getByRole('button', { name: /confirm/i }).click();

    await stranger.getByText(/Confirmed/).waitFor();
    await computer.getByTestId('password').waitFor({ timeout: 15_000 });
    expect(await computer.getByTestId('password').textContent()).toBe('pw-Wiki-42');
    expect(problemsOf(stranger)).toEqual([]);
  });
});
