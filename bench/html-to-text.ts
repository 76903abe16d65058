import { readdirSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { convert } from 'html-to-text';
import PostalMime from 'postal-mime';
import { htmlToText } from '../shared/domain/inbox/html-to-text';
import { adversarialHtml } from './otp';
import { round } from './stats';

/**
 * Issue 12: the hand-written HTML-to-text converter (shared/domain/inbox/html-to-text.ts) against the
 * maintained `html-to-text` library (htmlparser2 underneath), on
 * - correctness: the HTML bodies of test/fixtures/mail/*.eml, each with what a reader must see and what
 *   must never be shown (hidden preheaders, styles, titles);
 * - worst-case time: the 1 MB adversarial HTML bodies of bench/otp.ts (median CPU ms of 5 runs each);
 * - bundle size: each converter bundled alone by esbuild (minified ESM, node22), as the functions are.
 * Run alone: `npx tsx bench/html-to-text.ts`. Figures are for docs/otp-extraction.md, not a test.
 */

const FIXTURES = new URL('../test/fixtures/mail/', import.meta.url);

/** What a person must read in each fixture's HTML, and what must stay hidden. */
const EXPECT: Record<string, { shows: string[]; hides: string[] }> = {
  'html-only.eml': {
    shows: ['Your Acme verification code is:', '730 418', 'café street', '© Acme Inc. — café'],
    hides: ['999999', 'color:red', 'Acme\nVerify'],
  },
  'related-html.eml': { shows: ['Use 482913 to sign in to Globex.', "Didn't ask for it?"], hides: ['cid:'] },
  'bounce-html.eml': { shows: ['Delivery has failed to these recipients', 'mailbox is full'], hides: [] },
  'gbk-html.eml': { shows: ['您的验证码是：605218，5分钟内有效'], hides: [] },
  'hidden-preheader.eml': { shows: ['Your login code is 915372'], hides: ['000000', 'Preheader'] },
};

/** html-to-text configured for reading: no hard wrap, no upper-casing, no image alt noise. */
const LIBRARY_OPTIONS = {
  wordwrap: false as const,
  // Without a depth limit, 500,000 nested <div>s overflow the stack (RangeError): the library's own guard.
  limits: { maxDepth: 256 },
  selectors: [
    { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
    { selector: 'img', format: 'skip' },
    { selector: 'h1', options: { uppercase: false } },
    { selector: 'h2', options: { uppercase: false } },
    { selector: 'table', format: 'dataTable' },
  ],
};

const converters: Record<string, (html: string) => string> = {
  'hand-written': (html) => htmlToText(html).text,
  'html-to-text 10': (html) => convert(html, LIBRARY_OPTIONS),
};

const squash = (s: string) => s.replace(/[ \t\u00a0]+/g, ' ');

async function fixtureHtml(): Promise<Array<[string, string]>> {
  const out: Array<[string, string]> = [];
  for (const name of readdirSync(FIXTURES).sort()) {
    if (!name.endsWith('.eml') || !EXPECT[name]) continue;
    const parsed = await PostalMime.parse(readFileSync(new URL(name, FIXTURES)));
    if (parsed.html) out.push([name, parsed.html]);
  }
  return out;
}

function cpuMedianMs(fn: () => void, runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.cpuUsage();
    fn();
    const used = process.cpuUsage(start);
    times.push((used.user + used.system) / 1000);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? Number.NaN;
}

async function bundleKB(source: string): Promise<number> {
  const result = await build({
    stdin: { contents: source, resolveDir: process.cwd(), loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    write: false,
  });
  return round((result.outputFiles[0]?.contents.byteLength ?? 0) / 1024, 1);
}

export async function benchHtmlToText(): Promise<Record<string, Record<string, number | string>>> {
  const fixtures = await fixtureHtml();
  const rows: Record<string, Record<string, number | string>> = {};
  for (const [label, convertOne] of Object.entries(converters)) {
    const misses: string[] = [];
    let checks = 0;
    for (const [name, html] of fixtures) {
      const text = squash(convertOne(html));
      for (const must of EXPECT[name]?.shows ?? []) {
        checks++;
        if (!text.includes(must)) misses.push(`${name}: missing "${must}"`);
      }
      for (const never of EXPECT[name]?.hides ?? []) {
        checks++;
        if (text.includes(never)) misses.push(`${name}: shows "${never}"`);
      }
    }
    const html = adversarialHtml();
    let worst = { name: '', ms: 0 };
    for (const [name, body] of Object.entries(html)) {
      try {
        convertOne(body);
      } catch (error) {
        misses.push(`${name} (1 MB): throws ${(error as Error).name}`);
        continue;
      }
      const ms = cpuMedianMs(() => convertOne(body), 5);
      if (ms > worst.ms) worst = { name, ms };
    }
    rows[label] = {
      'fixture checks passed': `${checks - misses.length}/${checks}`,
      'worst 1 MB median CPU ms': round(worst.ms),
      'worst 1 MB input': worst.name,
      misses: misses.join('; ') || '-',
    };
  }
  const base = await bundleKB("import PostalMime from 'postal-mime'; export { PostalMime };");
  rows['hand-written'] = {
    ...rows['hand-written'],
    'bundle KB (with postal-mime)': await bundleKB(
      "import PostalMime from 'postal-mime'; import { htmlToText } from './shared/domain/inbox/html-to-text'; export { PostalMime, htmlToText };",
    ),
    'postal-mime alone KB': base,
  };
  rows['html-to-text 10'] = {
    ...rows['html-to-text 10'],
    'bundle KB (with postal-mime)': await bundleKB(
      "import PostalMime from 'postal-mime'; import { convert } from 'html-to-text'; export { PostalMime, convert };",
    ),
    'postal-mime alone KB': base,
  };
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = await benchHtmlToText();
  console.table(Object.fromEntries(Object.entries(rows).map(([k, { misses, ...v }]) => [k, v])));
  for (const [k, v] of Object.entries(rows)) console.log(`${k} misses: ${v.misses}`);
}
