import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { extractCode } from '../../../shared/domain/inbox/extract-code';
import type { Channel } from '../../../shared/domain/inbox/types';

interface Row {
  id: string;
  channel: Channel;
  subject?: string;
  text: string;
  expected: string | null;
  note: string;
}

const rows: Row[] = readFileSync(new URL('../../fixtures/otp-messages.public.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as Row);

/** The fixture's comparison rule: equal ignoring case, spaces and hyphens. */
function comparable(code: string | null): string | null {
  if (code === null) return null;
  let out = '';
  for (const ch of code.toLowerCase()) if (ch !== '-' && ch.trim() !== '') out += ch;
  return out;
}

describe('extractCode on the public fixture corpus', () => {
  it('gets at least 97% of the messages right with at most one false code on code-less messages', () => {
    const misses: string[] = [];
    let right = 0;
    let falseCodes = 0;
    const nulls = rows.filter((row) => row.expected === null).length;

    for (const row of rows) {
      const input = {
        channel: row.channel,
        text: row.text,
        ...(row.subject ? { subject: row.subject } : {}),
      };
      const got = extractCode(input).code;
      if (comparable(got) === comparable(row.expected)) right++;
      else {
        if (row.expected === null) falseCodes++;
        misses.push(
          `${row.id}: expected ${JSON.stringify(row.expected)}, got ${JSON.stringify(got)} (${row.note})`,
        );
      }
    }
    console.log(
      `otp fixture score: ${right}/${rows.length} right (${((100 * right) / rows.length).toFixed(1)}%), ` +
        `${falseCodes} false code(s) on ${nulls} messages without a code`,
    );
    for (const miss of misses) console.log(`  miss ${miss}`);

    expect(rows.length).toBe(120);
    expect(right / rows.length).toBeGreaterThanOrEqual(0.97);
    expect(falseCodes).toBeLessThanOrEqual(1);
  });

  it('reports a kind and a confidence exactly when it reports a code', () => {
    const inconsistent: string[] = [];

    for (const row of rows) {
      const result = extractCode({ channel: row.channel, text: row.text });
      const hasCode = result.code !== null;
      const consistent = hasCode
        ? result.kind !== null && result.confidence > 0 && result.confidence <= 1
        : result.kind === null && result.confidence === 0;
      if (!consistent) inconsistent.push(row.id);
    }

    expect(inconsistent).toEqual([]);
  });
});
