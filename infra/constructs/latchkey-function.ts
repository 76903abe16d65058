import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetHashType, DockerImage, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import {
  Architecture,
  Code,
  type FunctionProps,
  Function as LambdaFunction,
  LoggingFormat,
  Runtime,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { buildSync } from 'esbuild';
import { DEFAULTS, ENV } from '../../shared/config/env';

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Env-only credentials in Lambda bundles: see `shared/adapters/aws/lambda-credentials.ts`. */
const LAMBDA_CREDENTIALS = join(PROJECT_ROOT, 'shared/adapters/aws/lambda-credentials.ts');

export interface LatchkeyFunctionProps
  extends Omit<FunctionProps, 'runtime' | 'architecture' | 'logGroup' | 'code' | 'handler'> {
  /** The entry file; its `handler` export is the Lambda handler. */
  entry: string;
  logRetention: RetentionDays;
}

/**
 * Bundles an entry the way every Latchkey function ships: one ESM `index.mjs` with the AWS SDK inside
 * (no runtime-provided SDK drift), minified, no source maps, and **code splitting**: what the entry
 * loads with `await import()` (a group's composition root, its adapters and SDK clients) goes to
 * chunks that are read and compiled on first use, not at module load (the cold-start budget,
 * `npm run bench`). The deployed code is the whole directory.
 */
export function bundleFunction(entry: string, outdir: string): void {
  buildSync({
    entryPoints: { index: entry },
    bundle: true,
    splitting: true,
    outdir,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    platform: 'node',
    format: 'esm',
    target: 'node22',
    minify: true,
    sourcemap: false,
    mainFields: ['module', 'main'],
    alias: { '@aws-sdk/credential-provider-node': LAMBDA_CREDENTIALS },
    // The SDK's browser user-agent parser: `@aws-sdk/core` re-exports the browser helper that
    // `await import('bowser')`s, and esbuild ships every dynamic import as a chunk even when nothing
    // calls it. Node clients build their user agent with util-user-agent-node and never reach it, so
    // it is left out (33 KB that no Lambda would ever load; docs/performance.md).
    external: ['bowser'],
    // Some bundled CommonJS dependencies call require(); give the ESM bundle one.
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
    absWorkingDir: PROJECT_ROOT,
    logLevel: 'warning',
  });
}

/**
 * Every Latchkey Lambda: Node 22 on ARM64, bundled by `bundleFunction` (esbuild, locally: no Docker),
 * X-Ray tracing, JSON logs to an explicit log group with retention, Powertools configured.
 */
export class LatchkeyFunction extends LambdaFunction {
  /** Set by `bindMailer`: the operations construct names the SES configuration set for it. */
  sendsMail = false;

  constructor(scope: Construct, id: string, props: LatchkeyFunctionProps) {
    const { logRetention, environment, entry, ...rest } = props;
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    super(scope, id, {
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: 512,
      timeout: Duration.seconds(10),
      tracing: Tracing.ACTIVE,
      logGroup,
      loggingFormat: LoggingFormat.JSON,
      ...rest,
      handler: 'index.handler',
      code: Code.fromAsset(dirname(entry), {
        // The hash of what ships: the same sources always give the same asset.
        assetHashType: AssetHashType.OUTPUT,
        bundling: {
          // Never used: bundling is local (esbuild is a dev dependency); CDK requires an image.
          image: DockerImage.fromRegistry('dummy'),
          // Part of CDK's bundling cache key: without it, every entry of one folder would get the
          // first one's bundle (same source folder, same options).
          command: ['esbuild', relative(PROJECT_ROOT, entry)],
          local: {
            tryBundle(outputDir) {
              bundleFunction(entry, outputDir);
              return true;
            },
          },
        },
      }),
      environment: {
        POWERTOOLS_SERVICE_NAME: DEFAULTS.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: DEFAULTS.metricsNamespace,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...environment,
      },
    });
  }

  /** Grants the least table access the function needs and tells it the table name, in one call. */
  bindTable(table: ITable, access: 'read' | 'readwrite'): this {
    if (access === 'read') table.grantReadData(this);
    else table.grantReadWriteData(this);
    this.addEnvironment(ENV.tableName, table.tableName);
    return this;
  }

  /** Lets the function derive the server HMAC key (GenerateMac only) and tells it which key. */
  bindHmacKey(key: IKey): this {
    key.grant(this, 'kms:GenerateMac');
    this.addEnvironment(ENV.hmacKeyId, key.keyArn);
    return this;
  }

  /** Envelope encryption of account secrets: data keys from, and back through, the secrets key. */
  bindSecretsKey(key: IKey): this {
    key.grant(this, 'kms:GenerateDataKey', 'kms:Decrypt');
    this.addEnvironment(ENV.secretsKeyId, key.keyArn);
    return this;
  }

  /** Lets the function send email from `from`, and from nothing else (its address and domain identities). */
  bindMailer(from: string): this {
    const domain = from.split('@')[1] ?? from;
    const identity = (name: string) =>
      Stack.of(this).formatArn({ service: 'ses', resource: 'identity', resourceName: name });
    this.addToRolePolicy(
      new PolicyStatement({
        actions: ['ses:SendEmail'],
        resources: [identity(from), identity(domain)],
      }),
    );
    this.addEnvironment(ENV.emailFrom, from);
    this.sendsMail = true;
    return this;
  }
}
