import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BrowserStack,
  bootBrowserStack,
  capture,
  openPage,
  problemsOf,
  signIn,
  trustByCode,
} from './harness';

/** Issue 10's number matching on device approval: the new device shows a number, the trusted one picks it. */
describe('the web app: a second device approved with number matching', () => {
  let env: BrowserStack;

  beforeAll(async () => {
    env = await bootBrowserStack();
  });
  afterAll(async () => {
    await env?.stop();
  });

  it('approves a new browser from a trusted one by choosing the number the new browser shows', async () => {
    const email = `approve-${randomUUID().slice(0, 8)}@acme.example`;
    const trusted = await openPage(await env.context(), '/');
    await trustByCode(env.stack, trusted, email);
    const fresh = await openPage(await env.context(), '/');
    await signIn(fresh, email);
    await fresh.getByLabel('Device name (optional)').fill('New laptop');
    await fresh.getByRole('button', { name: 'Continue' }).click();
    const number = fresh.getByTestId('device-number');
    await number.waitFor();
    const shown = (await number.textContent()) ?? '';
    await capture(fresh, 'device-waiting');

    await trusted.getByRole('link', { name: 'Devices' }).click();
    const request = trusted.getByRole('listitem', { name: 'Approval request from New laptop' });
    await request.waitFor({ timeout: 15_000 });
    const candidates = await request.getByRole('button', { name: /^\d{2}$/ }).allTextContents();
    await capture(trusted, 'devices-pending');
    await request.getByRole('button', { name: shown, exact: true }).click();

    await fresh.getByRole('heading', { name: 'Accounts', level: 1 }).waitFor({ timeout: 15_000 });
    expect(shown).toMatch(/^\d{2}$/);
    expect(candidates).toHaveLength(3);
    expect(candidates).toContain(shown);
    expect(problemsOf(fresh)).toEqual([]);
    expect(problemsOf(trusted)).toEqual([]);
  });
});
