import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, type NodejsFunctionProps, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { DEFAULTS, ENV } from '../../shared/config/env';

/** Env-only credentials in Lambda bundles: see `shared/adapters/aws/lambda-credentials.ts`. */
const LAMBDA_CREDENTIALS = fileURLToPath(
  new URL('../../shared/adapters/aws/lambda-credentials.ts', import.meta.url),
);

export interface LatchkeyFunctionProps
  extends Omit<NodejsFunctionProps, 'runtime' | 'architecture' | 'logGroup'> {
  entry: string;
  logRetention: RetentionDays;
}

/**
 * Every Latchkey Lambda: Node 22 on ARM64, ESM bundle with the AWS SDK inside (no runtime-provided
 * SDK drift), minified, no runtime source maps (not worth their cold-start cost until measured),
 * X-Ray tracing, JSON logs to an explicit log group with retention, Powertools configured.
 */
export class LatchkeyFunction extends NodejsFunction {
  /** Set by `bindMailer`: the operations construct names the SES configuration set for it. */
  sendsMail = false;

  constructor(scope: Construct, id: string, props: LatchkeyFunctionProps) {
    const { logRetention, environment, bundling, ...rest } = props;
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
      environment: {
        POWERTOOLS_SERVICE_NAME: DEFAULTS.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: DEFAULTS.metricsNamespace,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        minify: true,
        sourceMap: false,
        bundleAwsSDK: true,
        mainFields: ['module', 'main'],
        // Some bundled CommonJS dependencies call require(); give the ESM bundle one.
        esbuildArgs: {
          '--alias:@aws-sdk/credential-provider-node': LAMBDA_CREDENTIALS,
        },
        banner: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
        ...bundling,
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
