import { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { BASE_CONTEXT, buildApp } from '../../infra/app';
import { ENV } from '../../shared/config/env';
import { TABLE, tableDefinition } from '../../shared/config/table';
import { bypassesJwtAuthorizer, listRoutes, ROUTE_GROUPS } from '../../shared/http/routes';

/** No esbuild here: `aws:cdk:bundling-stacks` = [] bundles no stack (the bench synthesizes real bundles). */
const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] as string[] };

function synth(context: Record<string, string> = {}) {
  const built = buildApp(new App({ context: { ...BASE_CONTEXT, ...NO_BUNDLING, ...context } }));
  return {
    ...built,
    stateful: Template.fromStack(built.stateful),
    api: Template.fromStack(built.api),
    statefulStack: built.stateful,
    apiStack: built.api,
    web: Template.fromStack(built.web),
    webStack: built.web,
  };
}

describe('CDK app (default context: Cognito user pool)', () => {
  let app: ReturnType<typeof synth>;
  beforeAll(() => {
    app = synth();
  });

  it('defines the table exactly as the local runtime creates it', () => {
    const local = tableDefinition('x');
    const [table] = Object.values(app.stateful.findResources('AWS::DynamoDB::Table'));
    const props = table?.Properties;

    expect(props.KeySchema).toEqual(local.KeySchema);
    expect(props.AttributeDefinitions).toEqual(expect.arrayContaining(local.AttributeDefinitions));
    expect(props.AttributeDefinitions).toHaveLength(local.AttributeDefinitions.length);
    expect(props.GlobalSecondaryIndexes).toEqual(local.GlobalSecondaryIndexes);
    expect(props.BillingMode).toBe(local.BillingMode);
    expect(props.StreamSpecification).toEqual({ StreamViewType: local.StreamSpecification.StreamViewType });
  });

  it('protects the table: TTL on expiresAt, PITR, deletion protection, RETAIN, customer-managed KMS', () => {
    app.stateful.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        TimeToLiveSpecification: { AttributeName: TABLE.ttlAttribute, Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        SSESpecification: Match.objectLike({
          SSEEnabled: true,
          SSEType: 'KMS',
          KMSMasterKeyId: Match.anyValue(),
        }),
      }),
    });
  });

  it("keeps secrets' attachments in a private, KMS-encrypted, versioned, TLS-only bucket with lifecycle", () => {
    const template = app.stateful;
    const [bucket] = Object.values(
      template.findResources('AWS::S3::Bucket', {
        Properties: {
          BucketEncryption: {
            ServerSideEncryptionConfiguration: [Match.objectLike({ BucketKeyEnabled: true })],
          },
        },
      }),
    );
    expect(bucket?.DeletionPolicy).toBe('Retain');
    expect(
      bucket?.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault
        .SSEAlgorithm,
    ).toBe('aws:kms');
    expect(bucket?.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket?.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket?.Properties.LifecycleConfiguration.Rules[0]).toMatchObject({
      NoncurrentVersionExpiration: { NoncurrentDays: 1 },
      AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
      ExpiredObjectDeleteMarker: true,
      Status: 'Enabled',
    });
    expect(bucket?.Properties.CorsConfiguration.CorsRules[0].AllowedMethods).toEqual(['POST', 'GET']);
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    // Only the secrets function may sign for it, and only for objects under attachments/.
    const api = app.api;
    const policies = Object.values(api.findResources('AWS::IAM::Policy')).filter((policy) =>
      JSON.stringify(policy).includes('s3:PutObject'),
    );
    expect(policies).toHaveLength(1);
    expect(JSON.stringify(policies[0])).toContain('/attachments/*');
    expect(JSON.stringify(policies[0])).not.toContain('s3:*');
  });

  it('creates retained KMS keys: rotating ones for the table and secrets, an HMAC one for codes', () => {
    const keys = Object.values(app.stateful.findResources('AWS::KMS::Key'));
    // Table, secrets (envelope encryption), HMAC derivation, inbound SMS topic, attachments.
    expect(keys).toHaveLength(5);
    for (const key of keys) expect(key.DeletionPolicy).toBe('Retain');
    const hmac = keys.filter((key) => key.Properties.KeySpec === 'HMAC_256');
    expect(hmac).toHaveLength(1);
    expect(hmac[0]?.Properties.KeyUsage).toBe('GENERATE_VERIFY_MAC');
    for (const key of keys.filter((k) => k.Properties.KeySpec !== 'HMAC_256')) {
      expect(key.Properties.EnableKeyRotation).toBe(true);
    }
  });

  it('lets only the groups that need them derive the HMAC key and send email, from one identity', () => {
    const env = (group: string) => {
      const fn = app.apiStack.functions.get(group as never);
      return app.api.toJSON().Resources[app.apiStack.getLogicalId(fn?.node.defaultChild as never)].Properties
        .Environment.Variables as Record<string, unknown>;
    };
    expect(env('devices')).toHaveProperty(ENV.hmacKeyId);
    expect(env('users')).toHaveProperty(ENV.hmacKeyId);
    expect(env('system')).not.toHaveProperty(ENV.hmacKeyId);
    const statements = Object.values(app.api.findResources('AWS::IAM::Policy')).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as Array<{ Action: unknown; Resource: unknown }>,
    );
    const ses = statements.filter((statement) => statement.Action === 'ses:SendEmail');
    expect(ses.length).toBeGreaterThan(0);
    for (const statement of ses) {
      // The sender's identities, and the configuration set every send names (docs/runbooks).
      expect(JSON.stringify(statement.Resource)).toMatch(
        /identity\/no-reply@latchkey\.example|configuration-set\/latchkey-dev"/,
      );
      expect(JSON.stringify(statement.Resource)).not.toContain('*');
    }
    const withHmac = Object.values(app.api.findResources('AWS::Lambda::Function')).filter(
      (fn) => ENV.hmacKeyId in (fn.Properties.Environment?.Variables ?? {}),
    );
    expect(statements.filter((statement) => statement.Action === 'kms:GenerateMac')).toHaveLength(
      withHmac.length,
    );
  });

  it('gives every function the defaults: Node 22, ARM64, tracing, JSON logs, Powertools env', () => {
    const functions = app.api.findResources('AWS::Lambda::Function');
    // One per route group, plus the push fan-out, the inbound SMS handler, the two email stages, the
    // outbox relay, the rotation worker, connector and sweep, the attachment clean-up and the
    // user.deprovisioned consumer.
    expect(Object.keys(functions)).toHaveLength(ROUTE_GROUPS.length + 10);
    for (const fn of Object.values(functions)) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: expect.objectContaining({ LogFormat: 'JSON' }),
        Environment: { Variables: expect.objectContaining({ POWERTOOLS_SERVICE_NAME: 'latchkey' }) },
      });
      expect(fn.Properties.Environment.Variables).not.toHaveProperty('NODE_OPTIONS');
    }
  });

  it('keeps function logs in log groups with a retention', () => {
    const groups = Object.values(app.api.findResources('AWS::Logs::LogGroup'));
    expect(groups.length).toBeGreaterThanOrEqual(ROUTE_GROUPS.length + 2);
    for (const group of groups) expect(group.Properties.RetentionInDays).toBe(30);
  });

  it('grants the table only to groups that use it, and tells them its name', () => {
    const users = app.apiStack.functions.get('users');
    const system = app.apiStack.functions.get('system');
    const variables = (id: string) =>
      app.api.toJSON().Resources[id].Properties.Environment.Variables as Record<string, unknown>;
    expect(variables(app.apiStack.getLogicalId(users?.node.defaultChild as never))).toHaveProperty(
      ENV.tableName,
    );
    expect(variables(app.apiStack.getLogicalId(system?.node.defaultChild as never))).not.toHaveProperty(
      ENV.tableName,
    );
  });

  it('creates one route per manifest entry plus $default, with the JWT authorizer on non-public, non-SCIM routes', () => {
    const routes = Object.values(app.api.findResources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties);
    expect(routes).toHaveLength(listRoutes().length + 1);
    for (const route of listRoutes()) {
      const found = routes.find((r) => r.RouteKey === `${route.method} ${route.path}`);
      expect(found, route.id).toBeDefined();
      // SCIM routes carry the workspace's SCIM token, which the SCIM function itself checks.
      expect(found?.AuthorizationType, route.id).toBe(bypassesJwtAuthorizer(route.auth) ? 'NONE' : 'JWT');
    }
    expect(routes.find((r) => r.RouteKey === '$default')?.AuthorizationType ?? 'NONE').toBe('NONE');
  });

  it('lets API Gateway invoke each HTTP function through one permission, keeping the stack far from 500 resources', () => {
    const permissions = Object.values(app.api.findResources('AWS::Lambda::Permission')).filter(
      (p) => p.Properties.Principal === 'apigateway.amazonaws.com',
    );
    const groups = new Set(listRoutes().map((route) => route.group));
    // One per route group, plus the $default route's function when it is not already a group.
    expect(permissions.length).toBeLessThanOrEqual(groups.size + 1);
    // CloudFormation refuses a stack over 500 resources; the push secrets and bootstrap add a few.
    expect(Object.keys(app.api.toJSON().Resources).length).toBeLessThan(450);
  });

  it('gives the SCIM routes their own throttling and their own function', () => {
    const scimRoutes = listRoutes().filter((route) => route.auth === 'scim');
    const settings = Object.fromEntries(
      scimRoutes.map((route) => [
        `${route.method} ${route.path}`,
        Match.objectLike({ ThrottlingRateLimit: Match.anyValue(), ThrottlingBurstLimit: Match.anyValue() }),
      ]),
    );
    expect(scimRoutes.length).toBeGreaterThan(10);
    app.api.hasResourceProperties('AWS::ApiGatewayV2::Stage', { RouteSettings: Match.objectLike(settings) });
    app.api.hasResourceProperties('AWS::Lambda::Function', { Description: 'Latchkey HTTP routes: scim' });
  });

  it('uses a Cognito user pool as issuer when no IdP is configured', () => {
    app.api.resourceCountIs('AWS::Cognito::UserPool', 1);
    app.api.hasResourceProperties('AWS::Cognito::UserPool', { MfaConfiguration: 'ON' });
    app.api.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      JwtConfiguration: { Issuer: Match.anyValue(), Audience: [Match.anyValue()] },
    });
  });

  it('throttles the default stage and writes JSON access logs with the request id', () => {
    app.api.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: Match.objectLike({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 }),
      AccessLogSettings: {
        DestinationArn: Match.anyValue(),
        Format: Match.stringLikeRegexp('"requestId":"\\$context.requestId"'),
      },
    });
  });

  it('reserves no concurrency by default (a small account quota would refuse the deploy)', () => {
    for (const fn of Object.values(app.api.findResources('AWS::Lambda::Function'))) {
      expect(fn.Properties.ReservedConcurrentExecutions).toBeUndefined();
    }
  });

  it('has no unsuppressed cdk-nag findings (AwsSolutions and Serverless packs)', () => {
    for (const stack of [app.statefulStack, app.apiStack, app.webStack]) {
      const annotations = Annotations.fromStack(stack);
      const findings = [
        ...annotations.findError('*', Match.stringLikeRegexp('(AwsSolutions|Serverless)-.*')),
        ...annotations.findWarning('*', Match.stringLikeRegexp('(AwsSolutions|Serverless)-.*')),
      ].map((finding) => `${finding.id}: ${String(finding.entry.data).slice(0, 120)}`);
      expect(findings, stack.stackName).toEqual([]);
    }
  });
});

describe('CDK app: outbox relay', () => {
  let app: ReturnType<typeof synth>;
  beforeAll(() => {
    app = synth();
  });

  it('relays inserted outbox items from the table stream, retrying and dead-lettering failures', () => {
    app.api.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      StartingPosition: 'TRIM_HORIZON',
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: 8,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
      FilterCriteria: {
        Filters: [
          {
            Pattern: JSON.stringify({
              eventName: ['INSERT'],
              dynamodb: { NewImage: { entity: { S: ['outbox_event'] } } },
            }),
          },
        ],
      },
    });
    app.api.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmDescription: Match.stringLikeRegexp(
        '^Outbox events the relay could not publish after its retries',
      ),
      Threshold: 1,
    });
  });

  it('keeps the event bus in the stateful stack and lets only the relay put events on it', () => {
    app.stateful.resourceCountIs('AWS::Events::EventBus', 1);
    const putters = Object.values(app.api.findResources('AWS::IAM::Policy')).filter((policy) =>
      JSON.stringify(policy.Properties.PolicyDocument).includes('events:PutEvents'),
    );
    expect(putters).toHaveLength(1);
  });

  it('archives every published event and routes user.deprovisioned to a queue, with dead letters on both hops', () => {
    app.api.hasResourceProperties('AWS::Events::Archive', {
      EventPattern: { source: ['latchkey'] },
      RetentionDays: 90,
    });
    const rules = app.api.findResources('AWS::Events::Rule', {
      Properties: { EventPattern: { source: ['latchkey'], 'detail-type': ['user.deprovisioned'] } },
    });
    const [rule] = Object.values(rules);
    expect(rule?.Properties.Targets).toEqual([
      expect.objectContaining({
        DeadLetterConfig: { Arn: expect.anything() },
        RetryPolicy: { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 },
      }),
    ]);
    app.api.hasResourceProperties('AWS::SQS::Queue', {
      MessageRetentionPeriod: 14 * 24 * 3600,
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: 5 },
    });
    // The operations construct appends the runbook to every dead-letter alarm's description.
    app.api.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmDescription: Match.stringLikeRegexp(
        '^Domain events EventBridge could not deliver to their queue after its retries\\. Runbook: docs/runbooks/dead-letter-queue\\.md$',
      ),
    });
    app.api.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmDescription: Match.stringLikeRegexp(
        '^user\\.deprovisioned events their consumer failed 5 times\\. Runbook: docs/runbooks/dead-letter-queue\\.md$',
      ),
    });
  });

  it('consumes the user.deprovisioned queue with the rotation consumer, reporting partial batch failures', () => {
    const functions = app.api.findResources('AWS::Lambda::Function', {
      Properties: { Description: 'Latchkey: queues password rotations when a user is deprovisioned' },
    });
    const [logicalId] = Object.keys(functions);
    const mappings = Object.values(
      app.api.findResources('AWS::Lambda::EventSourceMapping', {
        Properties: { FunctionName: { Ref: logicalId } },
      }),
    );
    expect(mappings).toHaveLength(1);
    expect(mappings[0]?.Properties).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': [expect.stringMatching(/UserDeprovisionedQueue/), 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });
});

describe('CDK app: password rotation', () => {
  let app: ReturnType<typeof synth>;
  beforeAll(() => {
    app = synth();
  });
  const fn = (description: string) => {
    const found = Object.entries(app.api.findResources('AWS::Lambda::Function')).find(([, f]) =>
      String(f.Properties.Description).startsWith(description),
    );
    if (!found) throw new Error(`no function ${description}`);
    return found;
  };
  const policyOf = (logicalId: string) =>
    Object.values(app.api.findResources('AWS::IAM::Policy'))
      .filter((policy) =>
        JSON.stringify(policy.Properties.Roles).includes(logicalId.replace(/[0-9A-F]{8}$/, '')),
      )
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Array<{ Action: string | string[] }>)
      .flatMap((statement) => (Array.isArray(statement.Action) ? statement.Action : [statement.Action]));

  it('isolates the connector: time-boxed, GetItem and Decrypt only, invoked only by the worker', () => {
    const [connectorId, connector] = fn('Latchkey connector');
    const [workerId, worker] = fn('Latchkey rotation worker');
    const connectorActions = policyOf(connectorId).filter((a) => !a.startsWith('xray:'));

    expect(connector.Properties.Timeout).toBe(15);
    expect(connector.Properties.Environment.Variables[ENV.connectorTimeoutMs]).toBe('10000');
    expect(connectorActions.sort()).toEqual(['dynamodb:GetItem', 'kms:Decrypt']);
    expect(worker.Properties.Environment.Variables[ENV.connectorFunctionName]).toEqual({ Ref: connectorId });
    expect(policyOf(workerId)).toContain('lambda:InvokeFunction');
    const invokers = Object.values(app.api.findResources('AWS::IAM::Policy')).filter((policy) =>
      JSON.stringify(policy.Properties.PolicyDocument).includes('lambda:InvokeFunction'),
    );
    expect(invokers).toHaveLength(1);
  });

  it('never gives a function the local-only webhook allowance (nor the demo app), in any stack', () => {
    const functions = [app.stateful, app.api, app.web].flatMap((template) =>
      Object.values(template.findResources('AWS::Lambda::Function')),
    );
    const connector = fn('Latchkey connector')[1];

    expect(functions.length).toBeGreaterThan(5);
    expect(connector.Properties.Environment.Variables).not.toHaveProperty(ENV.webhookLocalOrigin);
    for (const f of functions) {
      const variables = f.Properties.Environment?.Variables ?? {};
      expect(variables).not.toHaveProperty(ENV.webhookLocalOrigin);
      expect(variables).not.toHaveProperty(ENV.demoAppUrl);
    }
  });

  it('feeds the worker from an encrypted queue with a DLQ, relays rotation jobs there, sweeps on a schedule', () => {
    const [workerId] = fn('Latchkey rotation worker');
    const [sweepId] = fn('Latchkey rotation sweep');
    const [, relay] = fn('Latchkey outbox relay');

    app.api.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: workerId },
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    app.api.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      RedrivePolicy: Match.objectLike({ maxReceiveCount: 10 }),
    });
    expect(relay.Properties.Environment.Variables[ENV.rotationQueueUrl]).toBeDefined();
    app.api.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(15 minutes)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [sweepId, 'Arn'] } })],
    });
  });
});

describe('CDK app: push delivery', () => {
  let app: ReturnType<typeof synth>;
  beforeAll(() => {
    app = synth();
  });

  it('feeds the fan-out function from an encrypted queue with a dead-letter queue and an alarm', () => {
    app.api.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: 5 },
    });
    app.api.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      // Ten jobs of up to ten recipients each; no batching window, so a lone approval push waits for none.
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: Match.absent(),
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    app.api.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('lets only the outbox relay send push work, and only the fan-out publish', () => {
    const statements = Object.values(app.api.findResources('AWS::IAM::Policy')).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as Array<{ Action: unknown }>,
    );
    const allows = (action: string) =>
      statements.filter((st) => (Array.isArray(st.Action) ? st.Action : [st.Action]).includes(action)).length;
    const publishesToEndpoints = statements.filter(
      (st) =>
        (Array.isArray(st.Action) ? st.Action : [st.Action]).includes('sns:Publish') &&
        JSON.stringify((st as { Resource?: unknown }).Resource).includes('endpoint/'),
    );
    expect(publishesToEndpoints).toHaveLength(1);
    const producers = Object.values(app.api.findResources('AWS::Lambda::Function')).filter((fn) =>
      ['PUSH_QUEUE_URL', 'INBOUND_QUEUE_URL'].some(
        (name) => name in (fn.Properties.Environment?.Variables ?? {}),
      ),
    );
    expect(producers.map((fn) => fn.Properties.Description).sort()).toEqual([
      'Latchkey inbound email: raw MIME from S3 -> parsed message queue',
      'Latchkey outbox relay: table stream -> push queue / event bus / SES',
    ]);
    // Plus four: the email parser's own dead-letter queue (asynchronous invocations), the relay's
    // on-failure destination, the relay's rotation queue and the attachment clean-up's on-failure destination.
    expect(allows('sqs:SendMessage')).toBe(producers.length + 4);
  });

  it('creates no platform application without push secrets', () => {
    app.api.resourceCountIs('Custom::SnsPlatformApplication', 0);
  });

  it('creates one platform application per push secret, telling the functions their ARNs', () => {
    const withPush = synth({
      apnsSecretArn: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:apns-AbCdEf',
      fcmSecretArn: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:fcm-AbCdEf',
    });

    withPush.api.resourceCountIs('Custom::SnsPlatformApplication', 2);
    withPush.api.hasResourceProperties('Custom::SnsPlatformApplication', {
      Platform: 'GCM',
      SecretArn: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:fcm-AbCdEf',
    });
    const fanout = withPush.apiStack.push.fanout;
    const variables =
      withPush.api.toJSON().Resources[withPush.apiStack.getLogicalId(fanout.node.defaultChild as never)]
        .Properties.Environment.Variables;
    expect(Object.keys(variables)).toEqual(
      expect.arrayContaining(['PUSH_PLATFORM_APNS_ARN', 'PUSH_PLATFORM_FCM_ARN']),
    );
    expect(JSON.stringify(withPush.api.toJSON())).not.toMatch(/signingKey|serviceAccountJson/);
    for (const stack of [withPush.statefulStack, withPush.apiStack]) {
      const findings = Annotations.fromStack(stack).findError(
        '*',
        Match.stringLikeRegexp('(AwsSolutions|Serverless)-.*'),
      );
      expect(findings.map((f) => `${f.id}: ${String(f.entry.data).slice(0, 100)}`)).toEqual([]);
    }
  });
});

describe('CDK app: workspace bootstrap', () => {
  it('bootstraps no workspace unless context names one', () => {
    synth().api.resourceCountIs('Custom::WorkspaceBootstrap', 0);
  });

  it('bootstraps the workspace and owner context names, through a table-bound function, with no nag finding', () => {
    const app = synth({
      bootstrapWorkspace: 'acme',
      bootstrapOwnerEmail: 'alice@acme.example',
      bootstrapJitDomains: 'acme.example, Acme.Dev',
    });

    app.api.resourceCountIs('Custom::WorkspaceBootstrap', 1);
    app.api.hasResourceProperties('Custom::WorkspaceBootstrap', {
      Workspace: 'acme',
      OwnerEmail: 'alice@acme.example',
      JitEmailDomains: ['acme.example', 'acme.dev'],
    });
    const handler = app.apiStack.workspaceBootstrap?.handler;
    const variables =
      app.api.toJSON().Resources[app.apiStack.getLogicalId(handler?.node.defaultChild as never)].Properties
        .Environment.Variables;
    expect(Object.keys(variables)).toContain('TABLE_NAME');
    const findings = Annotations.fromStack(app.apiStack).findError(
      '*',
      Match.stringLikeRegexp('(AwsSolutions|Serverless)-.*'),
    );
    expect(findings.map((f) => `${f.id}: ${String(f.entry.data).slice(0, 100)}`)).toEqual([]);
  });

  it('refuses an owner email without a workspace', () => {
    expect(() => synth({ bootstrapOwnerEmail: 'alice@acme.example' })).toThrow(/bootstrapWorkspace/);
  });
});

describe('CDK app: inbound SMS', () => {
  it('queues every two-way SMS (raw delivery) for a partial-batch consumer, with dead-letter queues and alarms', () => {
    const app = synth();

    app.api.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'sqs',
      RawMessageDelivery: true,
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue() },
    });
    app.api.resourceCountIs('AWS::SNS::Subscription', 1);
    app.api.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: 180,
      RedrivePolicy: Match.objectLike({ maxReceiveCount: 5 }),
      SqsManagedSseEnabled: true,
    });
    const handler = app.apiStack.inbound.handler;
    app.api.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: app.apiStack.getLogicalId(handler.node.defaultChild as never) },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    for (const description of [
      'Inbound SMS that could not be stored after 5 receives',
      'Inbound SMS the topic could not deliver to the inbound SMS queue',
    ]) {
      app.api.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmDescription: Match.stringLikeRegexp(`^${description}`),
        Threshold: 1,
      });
    }
  });
});

describe('CDK app: inbound email', () => {
  it('writes raw mail to an encrypted, versioned, expiring bucket, then invokes the parser', () => {
    const app = synth({ inboundEmailDomain: 'mail.example.com' });

    app.api.hasResourceProperties('AWS::SES::ReceiptRule', {
      Rule: Match.objectLike({
        Recipients: ['mail.example.com'],
        ScanEnabled: true,
        TlsPolicy: 'Require',
        Actions: [
          { S3Action: Match.objectLike({ ObjectKeyPrefix: 'inbound/' }) },
          { LambdaAction: Match.objectLike({ InvocationType: 'Event' }) },
        ],
      }),
    });
    app.api.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        VersioningConfiguration: { Status: 'Enabled' },
        BucketEncryption: Match.objectLike({ ServerSideEncryptionConfiguration: Match.anyValue() }),
        PublicAccessBlockConfiguration: Match.objectLike({
          BlockPublicAcls: true,
          RestrictPublicBuckets: true,
        }),
        LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ ExpirationInDays: 30 })]) },
      }),
    });
    app.api.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('raw MIME from S3'),
      DeadLetterConfig: { TargetArn: Match.anyValue() },
    });
  });
});

describe('CDK app (external IdP context)', () => {
  it('uses the given issuer and audiences and creates no user pool', () => {
    const app = synth({
      jwtIssuer: 'https://idp.example.com/',
      jwtAudience: 'web-app, mobile-app',
      stage: 'prod',
    });

    app.api.resourceCountIs('AWS::Cognito::UserPool', 0);
    app.api.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      JwtConfiguration: { Issuer: 'https://idp.example.com/', Audience: ['web-app', 'mobile-app'] },
    });
    expect(app.apiStack.stackName).toBe('Latchkey-prod-Api');
  });

  it('refuses an issuer without an audience', () => {
    expect(() => synth({ jwtIssuer: 'https://idp.example.com/' })).toThrow(/jwtAudience/);
  });
});

describe('CDK app: the web app on CloudFront', () => {
  let app: ReturnType<typeof synth>;
  beforeAll(() => {
    app = synth({ webBaseUrl: 'https://app.latchkey.example' });
  });

  const behaviorFor = (pattern: string) => {
    const [distribution] = Object.values(app.web.findResources('AWS::CloudFront::Distribution'));
    const config = distribution?.Properties.DistributionConfig;
    return (config.CacheBehaviors as Array<Record<string, unknown>>).find((b) => b.PathPattern === pattern);
  };

  it('routes /v1/* to the HTTP API on the same origin, uncached, with every method and viewer header but Host', () => {
    const api = behaviorFor('/v1/*');

    expect(api).toMatchObject({
      AllowedMethods: expect.arrayContaining(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']),
      // Managed policies: CachingDisabled and AllViewerExceptHostHeader.
      CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
      OriginRequestPolicyId: 'b689b0a8-53d0-40ab-baf2-68738e2966ac',
      ViewerProtocolPolicy: 'https-only',
    });
    app.web.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Origins: Match.arrayWith([
          Match.objectLike({
            DomainName: Match.objectLike({
              'Fn::Join': Match.arrayWith([Match.arrayWith(['.execute-api.'])]),
            }),
          }),
        ]),
      }),
    });
  });

  it('sends a strict CSP, HSTS, nosniff and frame denial on every response', () => {
    const [policy] = Object.values(app.web.findResources('AWS::CloudFront::ResponseHeadersPolicy'));
    const headers = policy?.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    const csp = JSON.stringify(headers.ContentSecurityPolicy.ContentSecurityPolicy);

    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(headers.StrictTransportSecurity).toMatchObject({ IncludeSubdomains: true, Override: true });
    expect(headers.StrictTransportSecurity.AccessControlMaxAgeSec).toBeGreaterThanOrEqual(31536000);
    expect(headers.ContentTypeOptions).toEqual({ Override: true });
    expect(headers.FrameOptions).toEqual({ FrameOption: 'DENY', Override: true });
    const [distribution] = Object.values(app.web.findResources('AWS::CloudFront::Distribution'));
    const id = distribution?.Properties.DistributionConfig.DefaultCacheBehavior.ResponseHeadersPolicyId;
    expect(behaviorFor('/v1/*')?.ResponseHeadersPolicyId).toEqual(id);
  });

  it('keeps the assets bucket private: no public access, TLS only, encrypted, read through origin access control', () => {
    app.web.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: Match.anyValue(),
      LoggingConfiguration: Match.anyValue(),
    });
    app.web.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
  });

  it('lets the web app sign in with the hosted UI: authorization code, PKCE public client, callback on the web URL', () => {
    app.api.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: Match.arrayWith(['openid', 'email']),
      CallbackURLs: ['https://app.latchkey.example/callback'],
      GenerateSecret: false,
    });
    app.api.resourceCountIs('AWS::Cognito::UserPoolDomain', 1);
  });
});
