import { bootInMemoryStack } from '../local/boot';
import type { LocalStack } from '../local/stack';

/** One in-memory local stack for the HTTP benchmarks, quiet logs, always stopped. */
export async function withLocalStack<T>(run: (stack: LocalStack) => Promise<T>): Promise<T> {
  const previous = process.env.POWERTOOLS_LOG_LEVEL;
  process.env.POWERTOOLS_LOG_LEVEL = 'WARN';
  // The logger may exist already (imported by a benchmark module): quiet it too.
  const { logger } = await import('../shared/observability');
  const previousLevel = logger.getLevelName();
  logger.setLogLevel('WARN');
  let stack: LocalStack | undefined;
  try {
    stack = await bootInMemoryStack({ quiet: true });
    return await run(stack);
  } finally {
    await stack?.stop();
    logger.setLogLevel(previousLevel);
    if (previous === undefined) delete process.env.POWERTOOLS_LOG_LEVEL;
    else process.env.POWERTOOLS_LOG_LEVEL = previous;
  }
}

import { AsyncLocalStorage } from 'node:async_hooks';

let counter: { requests: number } | undefined;
/** Requests made inside `countedScope(...)`'s call chain only (not the stack's background relay). */
const scope = new AsyncLocalStorage<{ requests: number }>();

/** Runs `work`, counting the DynamoDB requests its own call chain makes (needs countDynamoRequests). */
export async function countedScope<T>(work: () => Promise<T>): Promise<{ result: T; requests: number }> {
  const mine = { requests: 0 };
  const result = await scope.run(mine, work);
  return { result, requests: mine.requests };
}

/** Counts the DynamoDB requests the handlers make (the stack runs them in this process). */
export async function countDynamoRequests() {
  if (counter) return counter;
  const { sharedDocumentClient } = await import('../shared/adapters/dynamodb/client');
  const created = { requests: 0 };
  counter = created;
  sharedDocumentClient().middlewareStack.add(
    (next) => async (args) => {
      created.requests++;
      const mine = scope.getStore();
      if (mine) mine.requests++;
      return next(args);
    },
    { step: 'initialize', name: 'benchRequestCounter' },
  );
  return created;
}

/** Bootstraps a workspace on the running stack's table (no sign-in creates one), as npm run bootstrap does. */
export async function bootstrapWorkspace(stack: LocalStack, workspace: string, ownerEmail: string) {
  const { sharedDocumentClient } = await import('../shared/adapters/dynamodb/client');
  const { bootstrapOn } = await import('../shared/runtime/bootstrap');
  await bootstrapOn(sharedDocumentClient(), stack.tableName)({ workspaceName: workspace, ownerEmail });
}
