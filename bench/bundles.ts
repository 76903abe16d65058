import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { BASE_CONTEXT, buildApp } from '../infra/app';
import { round, summarize } from './stats';

export const BUDGETS = { bundleKB: 700, moduleLoadMedianMs: 100 };

export interface BundleFigures {
  group: string;
  /** Everything the function ships (entry and chunks): what the 700 KB budget applies to. */
  sizeKB: number;
  /** The entry file alone (`index.mjs`): what module load reads and compiles. */
  entryKB: number;
  loadMs: ReturnType<typeof summarize>;
}

/**
 * Synthesizes the real CDK app (esbuild bundling included), then measures each function's bundle:
 * its size (entry plus the chunks it loads on first use), and the time a fresh `node` process takes to
 * import the entry (the module-load part of a cold start), median of `samples` processes.
 */
export function benchBundles(samples = 15): BundleFigures[] {
  const outdir = mkdtempSync(join(tmpdir(), 'latchkey-bench-'));
  try {
    const app = new App({ outdir, context: { ...BASE_CONTEXT, 'aws:cdk:enable-asset-metadata': true } });
    const { api } = buildApp(app);
    const assembly = app.synth();
    const template = assembly.getStackByName(api.stackName).template as {
      Resources: Record<string, { Type: string; Metadata?: Record<string, string> }>;
    };
    const figures: BundleFigures[] = [];
    for (const [group, fn] of [
      ...api.functions,
      ['push-fanout', api.push.fanout] as const,
      ['inbound-sms', api.inbound.handler] as const,
      ['inbound-email', api.inboundEmail.parser] as const,
      ['inbound-ingest', api.inboundEmail.ingest] as const,
      ['outbox-relay', api.outbox.handler] as const,
      ['attachment-cleanup', api.attachmentCleanup.handler] as const,
    ]) {
      const logicalId = api.getLogicalId(fn.node.defaultChild as never);
      const assetPath = template.Resources[logicalId]?.Metadata?.['aws:asset:path'];
      if (!assetPath) throw new Error(`no asset for ${group}`);
      const dir = join(outdir, assetPath);
      const file = join(dir, 'index.mjs');
      const loads: number[] = [];
      for (let i = 0; i < samples; i++) {
        const run = spawnSync(
          process.execPath,
          [
            '--input-type=module',
            '-e',
            `const t = performance.now(); await import(${JSON.stringify(file)}); process.stdout.write(String(performance.now() - t));`,
          ],
          {
            env: {
              PATH: process.env.PATH,
              TABLE_NAME: 'bench',
              HMAC_KEY_ID: 'arn:aws:kms:us-east-1:000000000000:key/bench',
              EMAIL_FROM: 'bench@latchkey.example',
              PUSH_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/bench',
              SECRETS_KEY_ID: 'arn:aws:kms:us-east-1:000000000000:key/bench-secrets',
              INBOUND_SMS_TOPIC_ARN: 'arn:aws:sns:us-east-1:000000000000:bench-inbound',
              WEB_BASE_URL: 'https://app.latchkey.example',
              INBOUND_MAIL_BUCKET: 'bench-raw-mail',
              INBOUND_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/bench-inbound',
              EVENT_BUS_NAME: 'bench-events',
              AWS_REGION: 'us-east-1',
              AWS_ACCESS_KEY_ID: 'bench',
              AWS_SECRET_ACCESS_KEY: 'bench',
              POWERTOOLS_TRACE_ENABLED: 'false',
              AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
            },
            encoding: 'utf8',
          },
        );
        if (run.status !== 0) throw new Error(`loading ${group} bundle failed: ${run.stderr.slice(-600)}`);
        loads.push(Number(run.stdout));
      }
      const shipped = readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .reduce((total, entry) => total + statSync(join(entry.parentPath, entry.name)).size, 0);
      figures.push({
        group,
        sizeKB: round(shipped / 1024, 1),
        entryKB: round(statSync(file).size / 1024, 1),
        loadMs: summarize(loads),
      });
    }
    return figures;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
