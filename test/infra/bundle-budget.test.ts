import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { BUDGETS } from '../../bench/bundles';
import { entryOf } from '../../infra/api-stack';
import { bundleFunction } from '../../infra/constructs/latchkey-function';
import { ROUTE_GROUPS } from '../../shared/http/routes';

const fromRoot = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));

/** Every Lambda entry: one per route group, the event consumers and the jobs. */
const ENTRIES: Record<string, string> = {
  ...Object.fromEntries(ROUTE_GROUPS.map((group) => [group, entryOf(group)])),
  ...Object.fromEntries(
    ['events', 'jobs'].flatMap((folder) =>
      readdirSync(fromRoot(`functions/${folder}`))
        .filter((file) => file.endsWith('.ts'))
        .map((file) => [`${folder}/${file.replace(/\.ts$/, '')}`, fromRoot(`functions/${folder}/${file}`)]),
    ),
  ),
};

const outdir = mkdtempSync(join(tmpdir(), 'latchkey-budget-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

/** What the function ships, in KB: the entry and every chunk (the whole asset directory). */
function shippedKB(name: string, entry: string): number {
  const dir = join(outdir, name.replace(/\//g, '-'));
  bundleFunction(entry, dir);
  const bytes = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((file) => file.isFile())
    .reduce((total, file) => total + statSync(join(file.parentPath, file.name)).size, 0);
  return bytes / 1024;
}

describe('Lambda bundle budget', () => {
  it(`keeps every function's shipped bundle (entry and chunks) within ${BUDGETS.bundleKB} KB`, () => {
    const sizes = Object.fromEntries(
      Object.entries(ENTRIES).map(([name, entry]) => [name, Math.round(shippedKB(name, entry))]),
    );
    const over = Object.entries(sizes).filter(([, kb]) => kb > BUDGETS.bundleKB);

    // No exception: `attachments` (the S3 client on the HTTP base) is the largest (docs/performance.md).
    expect(over, JSON.stringify(sizes)).toEqual([]);
  });
});
