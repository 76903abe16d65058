import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { WEB_DIST } from '../infra/web-stack';
import { launchChromium } from '../local/chromium';
import { freePort } from '../local/ports';
import type { LocalStack } from '../local/stack';
import { buildWebApp, startWebServer } from '../local/web-server';
import { round, summarize } from './stats';

export const WEB_BUDGETS = { initialJsGzipKB: 200, lcpMs: 1000 };

/** The production build, as CloudFront serves it: what index.html loads before the app can render. */
export async function benchWebBundle() {
  await buildWebApp('production');
  const html = readFileSync(join(WEB_DIST, 'index.html'), 'utf8');
  const initial = [
    ...html.matchAll(/<(?:script[^>]+src|link[^>]+rel="modulepreload"[^>]+href)="([^"]+\.js)"/g),
  ].map((match) => match[1] as string);
  const files = initial.map((path) => {
    const bytes = readFileSync(join(WEB_DIST, path));
    return {
      file: path,
      rawKB: round(bytes.length / 1024),
      gzipKB: round(gzipSync(bytes, { level: 9 }).length / 1024),
    };
  });
  const gzipKB = round(files.reduce((sum, f) => sum + f.gzipKB, 0));
  return {
    files,
    initialJsGzipKB: gzipKB,
    budgetKB: WEB_BUDGETS.initialJsGzipKB,
    withinBudget: gzipKB <= WEB_BUDGETS.initialJsGzipKB,
  };
}

/**
 * Largest contentful paint of the first page a visitor sees (the sign-in page), served with its real
 * headers by the local web server beside the local stack, in headless Chromium: a fresh browser
 * context per sample, so nothing is cached.
 */
export async function benchWebLcp(stack: LocalStack, samples = 15) {
  const web = await startWebServer({ port: await freePort(), apiUrl: stack.apiUrl, dir: WEB_DIST });
  const browser = await launchChromium();
  try {
    const lcps: number[] = [];
    for (let i = 0; i < samples + 2; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      await page.goto(`${web.url}/`, { waitUntil: 'load' });
      await page.getByRole('heading', { level: 1 }).waitFor();
      const lcp = await page.evaluate<number>(`new Promise((resolve) => {
        new PerformanceObserver((list) => {
          const entries = list.getEntries();
          resolve(entries[entries.length - 1].startTime);
        }).observe({ type: 'largest-contentful-paint', buffered: true });
      })`);
      await context.close();
      // The first two warm the server and the browser's own start-up.
      if (i >= 2) lcps.push(lcp);
    }
    const ms = summarize(lcps);
    return {
      page: 'sign-in (/)',
      ms,
      budgetMs: WEB_BUDGETS.lcpMs,
      withinBudget: ms.p50 <= WEB_BUDGETS.lcpMs,
    };
  } finally {
    await browser.close();
    await web.stop();
  }
}
