import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WEB_DIST } from '../../infra/web-stack';

/** The production build the web stack deploys (built by this project's global setup). */
describe('the production web build', () => {
  const assets = readdirSync(join(WEB_DIST, 'assets'));
  const js = assets
    .filter((name) => name.endsWith('.js'))
    .map((name) => readFileSync(join(WEB_DIST, 'assets', name), 'utf8'));

  it('never registers a browser as mobile and has no dev sign-in or phone view', () => {
    expect(js.length).toBeGreaterThan(0);
    for (const source of js) {
      expect(source).not.toMatch(/clientType:\s*["']mobile["']/);
      expect(source).not.toContain('/_local/token');
      expect(source).not.toContain('Latchkey phone');
    }
  });

  it('inlines no script or style, so the strict CSP holds', () => {
    const html = readFileSync(join(WEB_DIST, 'index.html'), 'utf8');

    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style/);
    expect(html).not.toMatch(/\sstyle=/);
  });
});
