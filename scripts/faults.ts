import './quiet-env';
import {
  bootPersistedStack,
  databaseOutage,
  type FaultResult,
  mailFailing,
  outboxMailFailing,
  poisonMessages,
  pushFailing,
} from './fault-cases';

/**
 * `npm run faults`: the fault cases at full size against one persisted local stack on loopback
 * (DynamoDB Local with -dbPath in a temporary directory). Prints each case's figures and problems;
 * exits 1 when any case found one. Not part of `npm test` (the e2e tier runs a small version).
 */

const { stack, remove } = await bootPersistedStack();
const results: FaultResult[] = [];
try {
  results.push(await poisonMessages(stack, 10));
  // Fewer failures than the local push queue's 3 receives: retried, then sent once; then SNS down for good.
  results.push(await pushFailing(stack, 2));
  results.push(await mailFailing(stack));
  // Three device codes in each part: each retried and sent once, or dead-lettered and redriven once.
  results.push(await outboxMailFailing(stack, 3));
  // Last: it stops and restarts the database under the stack.
  results.push(await databaseOutage(stack, 20));
} finally {
  await remove();
}
for (const result of results) {
  console.log(`\n== ${result.case}: ${result.problems.length === 0 ? 'OK' : 'FAILED'} ==`);
  console.table(result.figures);
  for (const problem of result.problems) console.log(`  problem: ${problem}`);
}
const failed = results.filter((result) => result.problems.length > 0).length;
console.log(failed ? `\n${failed} case(s) failed` : '\nall fault cases passed');
process.exit(failed ? 1 : 0);
