import { freePort } from './ports';
import { type LocalStack, startLocalStack } from './stack';

/** An in-memory local stack on free ports (tests and benchmarks): nothing persists, nothing collides. */
export async function bootInMemoryStack(
  options: { env?: Record<string, string>; quiet?: boolean } = {},
): Promise<LocalStack> {
  return startLocalStack({
    apiPort: await freePort(),
    sesPort: await freePort(),
    dynamodbPort: await freePort(),
    s3Port: await freePort(),
    dataDir: '.unused',
    inMemory: true,
    ...(options.quiet ? { quiet: true } : {}),
    ...(options.env ? { env: options.env } : {}),
  });
}
