import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, PortInUseError } from '../../local/ports';
import { startLocalStack } from '../../local/stack';

describe('local stack startup', () => {
  let blocker: Server;
  let taken: number;
  beforeAll(async () => {
    taken = await freePort();
    blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(taken, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => blocker.close(() => resolve())));

  it.each([
    ['apiPort', 'PORT'],
    ['sesPort', 'SES_PORT'],
    ['dynamodbPort', 'DYNAMODB_PORT'],
    ['s3Port', 'S3_PORT'],
  ])('names the port and the variable that moves it when %s is taken', async (option, variable) => {
    const ports = {
      apiPort: await freePort(),
      sesPort: await freePort(),
      dynamodbPort: await freePort(),
      s3Port: await freePort(),
    };

    const started = startLocalStack({ ...ports, [option]: taken, dataDir: '.unused', inMemory: true });

    await expect(started).rejects.toBeInstanceOf(PortInUseError);
    await expect(started).rejects.toThrow(new RegExp(`Port ${taken} .*set ${variable}`));
  });
});
