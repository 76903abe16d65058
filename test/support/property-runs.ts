/** The number of runs for one property: as written in `npm test`, multiplied under `npm run fuzz`. */
export function runs(base: number): number {
  if (process.env.LATCHKEY_FUZZ !== '1') return base;
  const factor = Number.parseInt(process.env.FC_RUNS_FACTOR ?? '10', 10);
  return base * (Number.isFinite(factor) && factor > 0 ? factor : 10);
}
