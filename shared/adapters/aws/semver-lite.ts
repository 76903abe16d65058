/**
 * Stand-in for `semver` inside Lambda bundles only (esbuild alias in
 * `infra/constructs/latchkey-function.ts`). The X-Ray SDK and cls-hooked, which Powertools Tracer
 * brings, call nothing but `semver.gte(<plain x.y.z>, '<x.y.z>')`; the full package is 28 KB minified.
 * Any other use fails loudly rather than answering wrongly.
 */
function parts(version: string): number[] {
  const match = /^v?(\d+)\.(\d+)\.(\d+)/.exec(String(version).trim());
  if (!match) throw new Error(`semver-lite cannot compare "${version}"`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

export function gte(a: string, b: string): boolean {
  const [left, right] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i++) {
    if ((left[i] as number) !== (right[i] as number)) return (left[i] as number) > (right[i] as number);
  }
  return true;
}

export default { gte };
