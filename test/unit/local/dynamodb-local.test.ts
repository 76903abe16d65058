import { afterEach, describe, expect, it } from 'vitest';
import { JavaMissingError, startDynamoDbLocal } from '../../../local/dynamodb-local';

describe('startDynamoDbLocal', () => {
  const path = process.env.PATH;
  afterEach(() => {
    process.env.PATH = path;
  });

  it('fails with a one-line install hint when java is not on PATH', async () => {
    process.env.PATH = '/nonexistent';

    const started = startDynamoDbLocal({ port: 1 });

    await expect(started).rejects.toBeInstanceOf(JavaMissingError);
    await expect(started).rejects.toThrow(/default-jre-headless/);
    await expect(started).rejects.not.toThrow(/\n/);
  });
});
