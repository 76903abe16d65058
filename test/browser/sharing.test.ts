import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  approveFromPhone,
  type BrowserStack,
  bootBrowserStack,
  capture,
  codeMailCount,
  emailedCode,
  openPage,
  problemsOf,
  trustByCode,
  trustPhone,
} from './harness';

/**
 * The seeded owner keeps a secret in a vault and shares it by a one-time public link; a recipient
 * without a Latchkey account opens it in a signed-out browser with the emailed code, and the key never
 * reaches the server or stays in the address bar.
 */
describe('the web app: vaults, secrets and public share links', () => {
  let env: BrowserStack;
  let computer: Page;
  let phone: Page;
  const owner = 'alice@acme.example';
  const recipient = 'auditor@partner.example';

  beforeAll(async () => {
    env = await bootBrowserStack();
    computer = await openPage(await env.context(), '/');
    await trustByCode(env.stack, computer, owner);
    phone = await trustPhone(env, owner);
  });
  afterAll(async () => {
    await env?.stop();
  });

  it('creates a vault (confirmed from the phone) and a secret, then shows its value', async () => {
    await computer.getByRole('link', { name: 'Vaults' }).click();
    await computer.getByRole('heading', { name: 'Vaults', level: 1 }).waitFor();
    await computer.getByLabel('Vault name').fill('Finance');
    await computer.getByRole('button', { name: 'Create vault' }).click();
    await approveFromPhone(computer, phone, 'Create a vault');
    await computer.getByRole('link', { name: 'Finance' }).click();
    await computer.getByRole('heading', { name: 'Finance', level: 1 }).waitFor();
    await computer.getByLabel('Secret name').fill('Bank');
    await computer.getByLabel('Item name').fill('Online banking');
    await computer.getByLabel('Item value').fill('s3cret-Value-9');
    await computer.getByRole('button', { name: 'Add secret' }).click();
    await computer.getByRole('link', { name: 'Bank' }).click();
    await computer.getByRole('button', { name: 'Show secret' }).click();
    const items = computer.getByTestId('secret-items');
    await items.waitFor();
    expect(await items.textContent()).toContain('s3cret-Value-9');
    await capture(computer, 'secret');
    expect(problemsOf(computer)).toEqual([]);
  });

  it('shares the secret by a one-time link that a signed-out recipient opens once with the emailed code', async () => {
    await computer.getByLabel('Recipient email').fill(recipient);
    await computer.getByRole('button', { name: 'Create link' }).click();
    await approveFromPhone(computer, phone, 'Share items by link');
    const url = (await computer.getByTestId('share-url').textContent()) ?? '';
    expect(url).toMatch(/\/s\/shl_[\w-]+#[\w-]{43}$/);
    const key = url.split('#')[1] ?? '';

    const stranger = await openPage(await env.context(), url);
    await stranger.getByRole('heading', { name: /shared a secret with you/ }).waitFor();
    // The key left the address bar as soon as the page read it.
    expect(stranger.url()).not.toContain(key);
    expect(stranger.url()).not.toContain('#');
    await capture(stranger, 'share-link');
    const previous = await codeMailCount(env.stack, recipient);
    await stranger.getByRole('button', { name: 'Email me a code' }).click();
    await stranger.getByLabel('Code from the email').fill(await emailedCode(env.stack, recipient, previous));
    await stranger.getByRole('button', { name: 'Open' }).click();
    const content = stranger.getByTestId('shared-content');
    await content.waitFor();
    expect(await content.textContent()).toContain('s3cret-Value-9');
    expect(await content.textContent()).toContain('Online banking');
    await capture(stranger, 'share-link-opened');
    expect(problemsOf(stranger)).toEqual([]);

    // A one-time link is dead once opened, even with its key.
    const again = await openPage(await env.context(), url);
    await again.getByText(/This link cannot be opened/).waitFor();
    expect(await again.getByRole('button', { name: 'Email me a code' }).count()).toBe(0);

    // The owner sees it used, with the opening recorded, and nothing left to revoke.
    await computer.getByRole('link', { name: 'Share links' }).click();
    // The owner's list masks recipients as the public page does.
    const link = computer.getByRole('listitem', { name: 'Link to a***@partner.example' });
    await link.waitFor();
    await link.getByText('used').waitFor();
    expect(await link.getByText(/^Opened /).count()).toBe(1);
    expect(await link.getByRole('button', { name: 'Revoke' }).count()).toBe(0);
    await capture(computer, 'share-links');
  });

  it('refuses a link whose fragment key was cut off, without asking the server for a code', async () => {
    const page = await openPage(await env.context(), '/s/shl_missing');
    await page.getByText(/This link cannot be opened|missing its key/).waitFor();
    expect(await page.getByRole('button', { name: 'Email me a code' }).count()).toBe(0);
  });

  it('revokes an active link: its recipient can no longer open it', async () => {
    await computer.goto('/accounts');
    await computer.getByLabel('App name').fill('Payroll');
    await computer.getByLabel('Username').fill('payroll@acme.example');
    await computer.getByLabel('Password', { exact: true }).fill('pw-Payroll-7');
    await computer.getByRole('button', { name: 'Add account' }).click();
    await computer.getByRole('link', { name: 'Payroll' }).click();
    await computer.getByLabel('Recipient email').fill('temp@partner.example');
    await computer.getByLabel(/One-time/).uncheck();
    await computer.getByRole('button', { name: 'Create link' }).click();
    await approveFromPhone(computer, phone, 'Share items by link');
    const url = (await computer.getByTestId('share-url').textContent()) ?? '';
    await computer.getByRole('link', { name: 'Share links' }).click();
    const link = computer.getByRole('listitem', { name: 'Link to t***@partner.example' });
    await link.getByRole('button', { name: 'Revoke' }).click();
    await link.getByText('revoked').waitFor();
    const recipientPage = await openPage(await env.context(), url);
    await recipientPage.getByText(/This link cannot be opened/).waitFor();
  });
});
