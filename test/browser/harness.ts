import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expect, vi } from 'vitest';
import { bootInMemoryStack } from '../../local/boot';
import { launchChromium } from '../../local/chromium';
import { freePort } from '../../local/ports';
import type { LocalStack } from '../../local/stack';
import { startWebServer, type WebServer } from '../../local/web-server';

// The SDK warns once per process that releases after January 2027 need Node 22; Lambda runs Node 22.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** Where screenshots go (git-ignored): one per page, at desktop and phone width, for a reviewer. */
export const SCREENSHOT_DIR = resolve(import.meta.dirname, '../../test-results/screenshots');
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface BrowserStack {
  stack: LocalStack;
  web: WebServer;
  browser: Browser;
  /** A fresh browser profile (cookies, storage): one person's computer, or their phone. */
  context(viewport?: { width: number; height: number }): Promise<BrowserContext>;
  stop(): Promise<void>;
}

/** The local stack, the web app on the same process, and a headless Chromium, all on free ports. */
export async function bootBrowserStack(): Promise<BrowserStack> {
  const webPort = await freePort();
  const webUrl = `http://localhost:${webPort}`;
  const stack = await bootInMemoryStack({
    quiet: true,
    env: { WEB_BASE_URL: webUrl, POWERTOOLS_LOG_LEVEL: 'WARN' },
  });
  const web = await startWebServer({ port: webPort, apiUrl: stack.apiUrl });
  const browser = await launchChromium();
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const contexts: BrowserContext[] = [];
  return {
    stack,
    web,
    browser,
    async context(viewport = DESKTOP) {
      const context = await browser.newContext({ baseURL: web.url, viewport });
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: web.url });
      contexts.push(context);
      return context;
    },
    async stop() {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close().catch(() => undefined);
      await web.stop();
      await stack.stop();
    },
  };
}

/** A page that fails the test on any CSP violation or uncaught error: the strict CSP must hold. */
export async function openPage(context: BrowserContext, path: string): Promise<Page> {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  (page as Page & { problems: string[] }).problems = problems;
  await page.goto(path);
  return page;
}

export function problemsOf(page: Page): string[] {
  return (page as Page & { problems?: string[] }).problems ?? [];
}

/** Runs axe-core in the page (evaluated over CDP, so the CSP does not block it); serious+ fail. */
export async function expectAccessible(page: Page, label: string): Promise<void> {
  await page.evaluate(axeSource);
  const violations = await page.evaluate<Array<{ id: string; impact: string; targets: string[] }>>(`
    axe.run(document, { resultTypes: ['violations'] }).then((result) =>
      result.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        targets: v.nodes.map((n) => JSON.stringify(n.target)),
      })),
    )
  `);
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious, `axe on ${label}`).toEqual([]);
}

/** Screenshot at desktop and phone width, and axe at both: a page must work in both layouts. */
export async function capture(page: Page, name: string): Promise<void> {
  const original = page.viewportSize() ?? DESKTOP;
  for (const [width, size] of [
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ] as const) {
    await page.setViewportSize(size);
    await expectAccessible(page, `${name} (${width})`);
    await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize(original);
}

/** Signs in through the dev identity provider's form, as the person in `email`. */
export async function signIn(page: Page, email: string): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function codeMails(stack: LocalStack, to: string) {
  return (await stack.sentEmails()).filter(
    (mail) => mail.destination.to.includes(to) && /code/i.test(mail.subject),
  );
}

/** How many code emails `to` has had: pass it to `emailedCode` to wait for the next one. */
export async function codeMailCount(stack: LocalStack, to: string): Promise<number> {
  return (await codeMails(stack, to)).length;
}

/** The code in the first email to `to` after the `previous` ones, read from the SES emulator. */
export async function emailedCode(stack: LocalStack, to: string, previous = 0): Promise<string> {
  return vi.waitFor(
    async () => {
      const mails = await codeMails(stack, to);
      const code = /code is (\d{6})/.exec(mails[previous]?.body.text ?? '')?.[1];
      if (!code) throw new Error(`no new code emailed to ${to}`);
      return code;
    },
    { timeout: 10_000, interval: 200 },
  );
}

/**
 * Signs in, names the browser and enters the emailed code: the browser is a trusted device. With
 * `hasTrustedDevice` (the person trusted another device already, so the browser waits for its approval)
 * it takes "I don't have access to my trusted device" to get the code instead.
 */
export async function trustByCode(
  stack: LocalStack,
  page: Page,
  email: string,
  options: { hasTrustedDevice?: boolean } = {},
): Promise<void> {
  const previous = await codeMailCount(stack, email);
  await signIn(page, email);
  await page.getByRole('button', { name: 'Continue' }).click();
  if (options.hasTrustedDevice) {
    await page.getByRole('button', { name: "I don't have access to my trusted device" }).click();
  }
  await page.getByLabel('Code from the email').fill(await emailedCode(stack, email, previous));
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.getByRole('heading', { name: 'Accounts', level: 1 }).waitFor();
}

/** The phone view in its own context (phone width), trusted by an emailed code: it answers challenges. */
export async function trustPhone(env: BrowserStack, email: string): Promise<Page> {
  const phone = await openPage(await env.context(PHONE), '/phone');
  await signIn(phone, email);
  const previous = await codeMailCount(env.stack, email);
  await phone.getByRole('button', { name: 'Set up with an emailed code' }).click();
  await phone.getByLabel('Code from the email').fill(await emailedCode(env.stack, email, previous));
  await phone.getByRole('button', { name: 'Verify' }).click();
  await phone.getByText('No requests.').waitFor();
  return phone;
}

/**
 * Answers the confirmation dialog open on `computer` from `phone`: finds the request named `action`
 * and taps the number the computer shows. Returns that number and the three candidates offered.
 */
export async function approveFromPhone(
  computer: Page,
  phone: Page,
  action: string,
  screenshot?: string,
): Promise<{ shown: string; candidates: string[] }> {
  await computer.getByRole('dialog', { name: 'Confirm your identity' }).waitFor();
  const shown = (await computer.getByTestId('confirm-number').textContent()) ?? '';
  if (screenshot) await capture(computer, screenshot);
  const request = phone.getByRole('listitem', { name: `Request: ${action}` });
  await request.waitFor();
  const candidates = await request.getByRole('button', { name: /^\d{2}$/ }).allTextContents();
  if (screenshot) await capture(phone, `phone-request`);
  await request.getByRole('button', { name: shown, exact: true }).click();
  return { shown, candidates };
}
