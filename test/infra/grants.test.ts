import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { entryOf, GROUP_NEEDS } from '../../infra/api-stack';
import { ROUTE_GROUPS } from '../../shared/http/routes';

/** Which grant an adapter module needs when a function's entry reaches it. */
const ADAPTER_GRANTS: Record<string, keyof (typeof GROUP_NEEDS)[keyof typeof GROUP_NEEDS]> = {
  'shared/adapters/dynamodb/client.ts': 'table',
  'shared/adapters/kms/hmac-key.ts': 'hmac',
  'shared/adapters/ses/mailer.ts': 'mail',
  'shared/adapters/kms/keyring.ts': 'secrets',
  'shared/adapters/pinpoint/phone-numbers.ts': 'phone',
  'shared/adapters/sns/shared-gateway.ts': 'push',
  'shared/adapters/s3/attachment-store.ts': 'attachments',
};

/** The adapter modules an entry file imports, directly or not (esbuild's own module graph). */
async function adaptersReachedFrom(entry: string): Promise<Set<string>> {
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
  return new Set(Object.keys(result.metafile.inputs).filter((input) => input in ADAPTER_GRANTS));
}

describe('IAM grants of the HTTP functions', () => {
  it('are exactly the ones the adapters each function builds need', async () => {
    const derived: Record<string, string[]> = {};
    const declared: Record<string, string[]> = {};
    for (const group of ROUTE_GROUPS) {
      derived[group] = [...(await adaptersReachedFrom(entryOf(group)))]
        .map((input) => ADAPTER_GRANTS[input] as string)
        .sort();
      declared[group] = Object.keys(GROUP_NEEDS[group]).sort();
    }

    expect(declared).toEqual(derived);
  });
});
