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

/**
 * Functions allowed over the budget, each with the reason and a ceiling it must stay under (it fails
 * when it grows): `attachments` is the only function with the S3 client and its presigners (about
 * 160 KB: the client's schemas and endpoint rules, XML, checksums, event streams) on top of the HTTP
 * base that every confirmed route carries (docs/performance.md, "Bundle budget").
 */
const OVER_BUDGET_KB: Record<string, number> = { attachments: 735 };

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
    const over = Object.entries(sizes).filter(
      ([name, kb]) => kb > (OVER_BUDGET_KB[name] ?? BUDGETS.bundleKB),
    );

    expect(over, JSON.stringify(sizes)).toEqual([]);
    // An exception that is no longer needed is removed, not kept as slack.
    for (const name of Object.keys(OVER_BUDGET_KB))
      expect(sizes[name], name).toBeGreaterThan(BUDGETS.bundleKB);
  });
});
