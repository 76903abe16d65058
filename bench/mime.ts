import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { round } from './stats';

/** A 5 MB MIME message (HTML, text, a 3.6 MB attachment) parsed in a process limited to a 256 MB heap. */
export function benchMime() {
  const worker = fileURLToPath(new URL('./mime-worker.ts', import.meta.url));
  const run = spawnSync(process.execPath, ['--max-old-space-size=256', '--import', 'tsx', worker], {
    encoding: 'utf8',
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
  });
  if (run.status !== 0) throw new Error(`MIME benchmark failed: ${run.stderr.slice(-400)}`);
  const result = JSON.parse(run.stdout) as {
    sizeMB: number;
    p50: number;
    max: number;
    peakRssMB: number;
    ok: boolean;
  };
  return {
    'message MB': round(result.sizeMB, 2),
    'parse p50 ms': round(result.p50),
    'parse max ms': round(result.max),
    'peak RSS MB (256 MB heap limit)': round(result.peakRssMB, 1),
    'code and attachment found': result.ok,
  };
}
