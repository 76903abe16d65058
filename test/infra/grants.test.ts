import { readFileSync } from 'node:fs';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { entryOf, GROUP_NEEDS } from '../../infra/api-stack';
import { ATTACHMENT_CLEANUP_NEEDS, attachmentCleanupEntry } from '../../infra/constructs/attachment-cleanup';
import { ROTATION_NEEDS, rotationEntry } from '../../infra/constructs/rotation';
import { ROUTE_GROUPS } from '../../shared/http/routes';

/** Which grant an adapter module needs when a function's entry reaches it. */
const ADAPTER_GRANTS: Record<
  string,
  keyof (typeof GROUP_NEEDS)[keyof typeof GROUP_NEEDS] | keyof typeof ATTACHMENT_CLEANUP_NEEDS
> = {
  'shared/adapters/dynamodb/client.ts': 'table',
  'shared/adapters/kms/hmac-key.ts': 'hmac',
  'shared/adapters/ses/mailer.ts': 'mail',
  'shared/adapters/kms/keyring.ts': 'secrets',
  'shared/adapters/pinpoint/phone-numbers.ts': 'phone',
  'shared/adapters/sns/shared-gateway.ts': 'push',
  'shared/adapters/s3/attachment-store.ts': 'attachments',
  'shared/adapters/s3/attachment-objects.ts': 'attachmentObjects',
};

/** A table write: any module that sends one of these needs read-write access, not read. */
const TABLE_WRITE = /new (Put|Update|Delete|TransactWrite|BatchWrite)(Item)?Command\(/;

/**
 * The grants an entry file needs, from esbuild's own module graph (static and `await import()`ed
 * modules alike): one per adapter module it reaches, and table access read-write as soon as one of
 * its own modules writes to the table.
 */
async function grantsReachedFrom(entry: string): Promise<string[]> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'silent',
  });
  const inputs = Object.keys(result.metafile.inputs);
  const writes = inputs.some(
    (input) => input.startsWith('shared/') && TABLE_WRITE.test(readFileSync(input, 'utf8')),
  );
  return inputs
    .filter((input) => input in ADAPTER_GRANTS)
    .map((input) => {
      const grant = ADAPTER_GRANTS[input] as string;
      return grant === 'table' ? `table:${writes ? 'readwrite' : 'read'}` : grant;
    })
    .sort();
}

describe('IAM grants of the HTTP functions', () => {
  it('are exactly the ones the adapters each function builds need', async () => {
    const derived: Record<string, string[]> = {};
    const declared: Record<string, string[]> = {};
    for (const group of ROUTE_GROUPS) {
      derived[group] = await grantsReachedFrom(entryOf(group));
      declared[group] = Object.entries(GROUP_NEEDS[group])
        .map(([grant, level]) => (grant === 'table' ? `table:${level}` : grant))
        .sort();
    }

    expect(declared).toEqual(derived);
  });
});

describe('IAM grants of the rotation functions', () => {
  it('are exactly the ones the adapters the worker and the sweep build need', async () => {
    const derived: Record<string, string[]> = {};
    const declared: Record<string, string[]> = {};
    for (const [file, needs] of Object.entries(ROTATION_NEEDS)) {
      derived[file] = await grantsReachedFrom(rotationEntry(file));
      declared[file] = Object.entries(needs)
        .map(([grant, level]) => (grant === 'table' ? `table:${level}` : grant))
        .sort();
    }
    expect(declared).toEqual(derived);
  });

  it('give the connector nothing beyond the table and the secrets key it reads', async () => {
    const reached = await grantsReachedFrom(rotationEntry('connector.ts'));
    expect(reached.map((grant) => grant.replace(/:.*/, ''))).toEqual(['secrets', 'table']);
  });
});

describe('IAM grants of the attachment clean-up', () => {
  it('are exactly the ones the adapters it builds need: the table and deleting attachment objects', async () => {
    const derived = await grantsReachedFrom(attachmentCleanupEntry());
    const declared = Object.entries(ATTACHMENT_CLEANUP_NEEDS)
      .map(([grant, level]) => (grant === 'table' ? `table:${level}` : grant))
      .sort();

    expect(declared).toEqual(derived);
    expect(derived).toEqual(['attachmentObjects', 'table:readwrite']);
  });
});
