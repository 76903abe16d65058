import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BrowserStack,
  bootBrowserStack,
  capture,
  emailedCode,
  openPage,
  problemsOf,
  signIn,
} from './harness';

describe('the web app: first device, reload, pages', () => {
  let env: BrowserStack;

  beforeAll(async () => {
    env = await bootBrowserStack();
  });
  afterAll(async () => {
    await env?.stop();
  });

  const newEmail = () => `web-${randomUUID().slice(0, 8)}@acme.example`;

  it('trusts a first device by the code read from the SES emulator, and a reload keeps the session', async () => {
    const email = newEmail();
    const context = await env.context();
    const page = await openPage(context, '/');
    await page.getByRole('heading', { name: 'Sign in to Latchkey' }).waitFor();
    await capture(page, 'sign-in');

    await signIn(page, email);
    await page.getByRole('heading', { name: 'Trust this device' }).waitFor();
    await capture(page, 'device-name');
    await page.getByLabel('Device name (optional)').fill('Work laptop');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Code from the email').waitFor();
    await capture(page, 'device-code');
    await page.getByLabel('Code from the email').fill(await emailedCode(env.stack, email));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: 'Accounts', level: 1 }).waitFor();

    await page.reload();
    await page.getByRole('heading', { name: 'Accounts', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'Devices' }).click();
    await page.getByRole('heading', { name: 'My trusted devices' }).waitFor();
    const rows = page.getByRole('row').filter({ hasText: 'Work laptop' });
    await rows.first().waitFor();
    const cookies = await context.cookies();

    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('trusted');
    // One device, even after the reload: the cookie carried it, no second registration.
    expect(await page.getByRole('row').count()).toBe(2);
    expect(cookies.find((c) => c.name === '__Host-latchkey-device')).toMatchObject({
      httpOnly: true,
      secure: true,
      sameSite: 'Strict',
      path: '/',
    });
    expect(await page.evaluate<string>('document.cookie')).toBe('');
    expect(problemsOf(page)).toEqual([]);
  });

  it('shows every page, accessible at desktop and phone width, after renaming the device', async () => {
    const email = newEmail();
    const context = await env.context();
    const page = await openPage(context, '/');
    await signIn(page, email);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Code from the email').fill(await emailedCode(env.stack, email));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: 'Accounts', level: 1 }).waitFor();
    await capture(page, 'accounts');

    await page.getByRole('link', { name: 'Devices' }).click();
    await page.getByRole('button', { name: 'Rename' }).click();
    await page.getByLabel(/New name for/).fill('Desk PC');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('cell', { name: /Desk PC/ }).waitFor();
    await capture(page, 'devices');
    await page.getByRole('link', { name: 'Notifications' }).click();
    await page.getByRole('heading', { name: 'Your preferences' }).waitFor();
    await page
      .getByRole('cell', { name: /trusted device request/i })
      .first()
      .waitFor();
    await capture(page, 'notifications');
    await page.getByRole('link', { name: 'Workspace' }).click();
    await page.getByRole('heading', { name: 'Identity confirmation' }).waitFor();
    await page.getByRole('button', { name: 'Save identity confirmation' }).waitFor();
    await capture(page, 'workspace');

    expect(
      await page.getByRole('checkbox', { name: 'Push to the phone, with number matching' }).isChecked(),
    ).toBe(true);
    expect(problemsOf(page)).toEqual([]);
  });

  it('lets a person continue untrusted with a banner ("Remind me later") and come back to the setup', async () => {
    const context = await env.context();
    const page = await openPage(context, '/');
    await signIn(page, newEmail());
    await page.getByRole('button', { name: 'Remind me later' }).click();
    const banner = page.getByRole('region', { name: 'Device not trusted' });
    await banner.waitFor();
    await capture(page, 'remind-later');
    await page.getByRole('button', { name: 'Set up this device' }).click();

    await page.getByRole('heading', { name: 'Trust this device' }).waitFor();
    expect(await banner.count()).toBe(0);
  });

  it('shows a readable error from the API when the code is wrong', async () => {
    const context = await env.context();
    const page = await openPage(context, '/');
    const email = newEmail();
    await signIn(page, email);
    await page.getByRole('button', { name: 'Continue' }).click();
    const real = await emailedCode(env.stack, email);
    await page.getByLabel('Code from the email').fill(real === '000000' ? '111111' : '000000');
    await page.getByRole('button', { name: 'Verify' }).click();

    await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 15_000 }).toMatch(/code/i);
    expect(await page.getByRole('alert').textContent()).not.toMatch(/\{|undefined/);
  });
});
