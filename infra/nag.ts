import { NagSuppressions } from 'cdk-nag';
import { listRoutes } from '../shared/http/routes';
import type { ApiStack } from './api-stack';
import { LatchkeyFunction } from './constructs/latchkey-function';
import type { StatefulStack } from './stateful-stack';
import type { WebStack } from './web-stack';

const RUNTIME_REASON =
  'Pinned to nodejs22.x on purpose: the toolchain (middy 6, Powertools) is verified on Node 22.';

/**
 * Every cdk-nag finding we accept, each with the reason. The infra tests fail on any finding not
 * listed here, so a new one has to be fixed or argued for in this file.
 */
export function applySuppressions(stateful: StatefulStack, api: ApiStack, web?: WebStack): void {
  if (web) suppressWeb(web);
  NagSuppressions.addResourceSuppressions(stateful.attachmentsBucket, [
    {
      id: 'AwsSolutions-S1',
      reason:
        'Attachments are reached only through presigned requests the API signs after its own access check, ' +
        'which the security log records (secret.attachment_added/downloaded/removed); use CloudTrail S3 data ' +
        'events for an object-level trail instead of a second log bucket.',
    },
  ]);
  const functions = api.node
    .findAll()
    .filter((node): node is LatchkeyFunction => node instanceof LatchkeyFunction);
  for (const fn of functions) {
    NagSuppressions.addResourceSuppressions(fn, [
      { id: 'AwsSolutions-L1', reason: RUNTIME_REASON },
      { id: 'Serverless-LambdaLatestVersion', reason: RUNTIME_REASON },
      {
        id: 'Serverless-LambdaDLQ',
        reason:
          'No asynchronous invocations: HTTP functions are invoked synchronously by API Gateway, the push ' +
          'fan-out by an SQS event source (failures go to the queue’s dead-letter queue), the custom ' +
          'resource handler by the Provider framework.',
      },
    ]);
    NagSuppressions.addResourceSuppressions(
      fn.role ?? fn,
      [
        {
          id: 'AwsSolutions-IAM4',
          reason: 'AWSLambdaBasicExecutionRole only lets the function write its own CloudWatch logs.',
          appliesTo: [
            'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
          ],
        },
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions; the table grant ' +
            'covers its own indexes (index/*) and KMS data-key actions on the table key only; SNS mobile ' +
            'endpoints (endpoint/*) and platform applications (app/*) are created at run time per device and ' +
            'per deployment, so their ARNs cannot be listed in advance; attachments are objects under the ' +
            'attachments/ prefix, named at run time (256 random bits each).',
          appliesTo: [
            'Resource::*',
            'Action::kms:ReEncrypt*',
            'Action::kms:GenerateDataKey*',
            // The table ARN renders as a local token or as the stateful stack's export, depending on synthesis.
            {
              regex:
                '/^Resource::(<Table[A-Za-z0-9]+\\.Arn>|Latchkey-[a-z0-9-]+-Stateful:ExportsOutputFnGetAttTable[A-Za-z0-9]+)\\/index\\/\\*$/g',
            },
            // Attachments: the object prefix of the attachments bucket, local token or stateful export.
            {
              regex:
                '/^Resource::(<Attachments[A-Za-z0-9]+\\.Arn>|Latchkey-[a-z0-9-]+-Stateful:ExportsOutputFnGetAttAttachments[A-Za-z0-9]+)\\/attachments\\/\\*$/g',
            },
            {
              regex:
                '/^Resource::arn:<AWS::Partition>:sns:(<AWS::Region>|[a-z0-9-]+):<AWS::AccountId>:(endpoint|app)\\/\\*$/g',
            },
            // Managed numbers are requested at run time; their ids are not known in advance.
            {
              regex:
                '/^Resource::arn:<AWS::Partition>:sms-voice:(<AWS::Region>|[a-z0-9-]+):<AWS::AccountId>:phone-number\\/\\*$/g',
            },
          ],
        },
      ],
      true,
    );
  }
  for (const id of ['RouteHealth', 'RouteDefault']) {
    const route = api.node.tryFindChild(id);
    if (route) {
      NagSuppressions.addResourceSuppressions(route, [
        {
          id: 'AwsSolutions-APIG4',
          reason: 'Public by design: the liveness check, and the catch-all that answers 404 not_found.',
        },
      ]);
    }
  }
  for (const route of listRoutes().filter((entry) => entry.auth === 'idp')) {
    const child = api.node.tryFindChild(`Route${route.id.charAt(0).toUpperCase()}${route.id.slice(1)}`);
    if (child) {
      NagSuppressions.addResourceSuppressions(child, [
        {
          id: 'AwsSolutions-APIG4',
          reason:
            "The IdP's Global Token Revocation request carries a JWT signed by the workspace's own IdP (not Latchkey's issuer), verified by the function against the JWKS the workspace configured before anything else.",
        },
      ]);
    }
  }
  for (const route of listRoutes().filter((entry) => entry.auth === 'scim')) {
    const child = api.node.tryFindChild(`Route${route.id.charAt(0).toUpperCase()}${route.id.slice(1)}`);
    if (child) {
      NagSuppressions.addResourceSuppressions(child, [
        {
          id: 'AwsSolutions-APIG4',
          reason:
            'SCIM routes authenticate with the workspace SCIM bearer token (256 bits, HMAC-compared), checked by the SCIM function before anything else; IdPs cannot send a JWT.',
        },
      ]);
    }
  }
  for (const id of ['RouteDescribeMagicLink', 'RouteConfirmMagicLink']) {
    const route = api.node.tryFindChild(id);
    if (route) {
      NagSuppressions.addResourceSuppressions(route, [
        {
          id: 'AwsSolutions-APIG4',
          reason:
            'Public by design: the 256-bit single-use magic-link token in the path is the authorization (it approves one identity challenge and creates no session).',
        },
      ]);
    }
  }
  for (const id of ['RouteDescribeShareLink', 'RouteSendShareLinkCode', 'RouteOpenShareLink']) {
    const route = api.node.tryFindChild(id);
    if (route) {
      NagSuppressions.addResourceSuppressions(route, [
        {
          id: 'AwsSolutions-APIG4',
          reason:
            'Public by design: share-link recipients have no account. The content is ciphertext whose key only the URL fragment holds, released after an emailed code (HMAC, 5 minutes, 5 attempts, single use, per-link and per-IP caps).',
        },
      ]);
    }
  }
  NagSuppressions.addResourceSuppressions(
    api.inbound.twoWayRole,
    [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'Publishing to the KMS-encrypted topic needs GenerateDataKey* on the topic key only (CDK grantPublish).',
        appliesTo: ['Action::kms:GenerateDataKey*'],
      },
    ],
    true,
  );
  const mail = api.inboundEmail;
  NagSuppressions.addResourceSuppressions(mail.bucket, [
    {
      id: 'AwsSolutions-S1',
      reason:
        'Raw inbound mail is written only by SES and read only by the parser, and expires; use CloudTrail S3 ' +
        'data events for an access trail instead of a second log bucket.',
    },
  ]);
  for (const queue of mail.deadLetters) {
    NagSuppressions.addResourceSuppressions(queue, [
      {
        id: 'Serverless-SQSRedrivePolicy',
        reason: 'This is a dead-letter queue; it is watched by an alarm.',
      },
    ]);
  }
  NagSuppressions.addResourceSuppressions(
    mail.ingest,
    [
      {
        id: 'Serverless-LambdaEventSourceMappingDestination',
        reason:
          'SQS event sources use the queue’s redrive policy (dead-letter queue with an alarm), not a destination.',
      },
    ],
    true,
  );
  NagSuppressions.addResourceSuppressions(
    mail.parser,
    [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'Objects are keyed by the SES message id under the inbound/ prefix: the parser reads that prefix only.',
        appliesTo: [{ regex: '/^Resource::<InboundEmailRawMail[A-Za-z0-9]+\\.Arn>\\/inbound\\/\\*$/g' }],
      },
    ],
    true,
  );
  for (const queue of [api.inbound.deadLetters, api.inbound.subscriptionDeadLetters]) {
    NagSuppressions.addResourceSuppressions(queue, [
      { id: 'AwsSolutions-SQS3', reason: 'This is a dead-letter queue of the inbound SMS path.' },
      {
        id: 'Serverless-SQSRedrivePolicy',
        reason: 'This is a dead-letter queue; it is watched by an alarm.',
      },
    ]);
  }
  NagSuppressions.addResourceSuppressions(
    api.deprovisionedRotations,
    [
      {
        id: 'Serverless-LambdaEventSourceMappingDestination',
        reason:
          'SQS event sources use the queue’s redrive policy (dead-letter queue with an alarm, 5 receives), not a destination.',
      },
    ],
    true,
  );
  NagSuppressions.addResourceSuppressions(
    api.inbound.handler,
    [
      {
        id: 'Serverless-LambdaEventSourceMappingDestination',
        reason:
          'SQS event sources use the queue’s redrive policy (dead-letter queue with an alarm), not a destination.',
      },
    ],
    true,
  );
  for (const queue of api.domainEvents.deadLetterQueues) {
    NagSuppressions.addResourceSuppressions(queue, [
      {
        id: 'AwsSolutions-SQS3',
        reason: 'This is a dead-letter queue of domain event delivery; it is watched by an alarm.',
      },
      {
        id: 'Serverless-SQSRedrivePolicy',
        reason: 'This is a dead-letter queue; it is watched by an alarm.',
      },
    ]);
  }
  NagSuppressions.addResourceSuppressions(api.outbox.deadLetters, [
    {
      id: 'AwsSolutions-SQS3',
      reason: 'This is the on-failure destination of the outbox relay stream; it is watched by an alarm.',
    },
    { id: 'Serverless-SQSRedrivePolicy', reason: 'This is a dead-letter queue; it is watched by an alarm.' },
  ]);
  NagSuppressions.addResourceSuppressions(api.attachmentCleanup.deadLetters, [
    {
      id: 'AwsSolutions-SQS3',
      reason:
        'This is the on-failure destination of the attachment clean-up stream; it is watched by an alarm.',
    },
    { id: 'Serverless-SQSRedrivePolicy', reason: 'This is a dead-letter queue; it is watched by an alarm.' },
  ]);
  NagSuppressions.addResourceSuppressions(api.rotation.deadLetters, [
    {
      id: 'Serverless-SQSRedrivePolicy',
      reason:
        'This is the rotation dead-letter queue (and the sweep schedule target DLQ); it is watched by an alarm.',
    },
  ]);
  NagSuppressions.addResourceSuppressions(
    api.rotation.worker,
    [
      {
        id: 'Serverless-LambdaEventSourceMappingDestination',
        reason:
          'SQS event sources take no on-failure destination; failed rotation jobs go to the queue’s ' +
          'dead-letter queue after 10 receives, with an alarm (the engine ends a rotation after 3 attempts).',
      },
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'grantInvoke covers the connector function’s versions (<arn>:*); it is the only function invoked.',
        appliesTo: [{ regex: '/^Resource::<RotationConnector[A-Za-z0-9]+\\.Arn>:\\*$/g' }],
      },
    ],
    true,
  );
  NagSuppressions.addResourceSuppressions(api.push.deadLetters, [
    {
      id: 'Serverless-SQSRedrivePolicy',
      reason: 'This is the dead-letter queue; it is watched by an alarm.',
    },
  ]);
  NagSuppressions.addResourceSuppressions(
    api.push.fanout,
    [
      {
        id: 'Serverless-LambdaEventSourceMappingDestination',
        reason:
          'SQS event sources take no on-failure destination (that is for stream sources); failed messages ' +
          'go to the queue’s dead-letter queue after 5 receives, with an alarm.',
      },
    ],
    true,
  );
  for (const provider of [api.pushPlatforms.provider, api.workspaceBootstrap?.provider]) {
    if (!provider) continue;
    NagSuppressions.addResourceSuppressions(
      provider,
      [
        {
          id: 'AwsSolutions-L1',
          reason: 'The CDK Provider framework chooses the runtime of its own function.',
        },
        {
          id: 'Serverless-LambdaLatestVersion',
          reason: 'The CDK Provider framework chooses its own runtime.',
        },
        {
          id: 'Serverless-LambdaDLQ',
          reason: 'Invoked synchronously by CloudFormation through the framework.',
        },
        { id: 'Serverless-LambdaDefaultMemorySize', reason: 'The framework function only relays events.' },
        { id: 'Serverless-LambdaTracing', reason: 'The framework function only relays events.' },
        {
          id: 'AwsSolutions-IAM4',
          reason: 'The framework function only writes its own logs (AWSLambdaBasicExecutionRole).',
          appliesTo: [
            'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
          ],
        },
        {
          id: 'AwsSolutions-IAM5',
          reason: 'The framework may invoke every version of the handler function it wraps.',
          appliesTo: [{ regex: '/^Resource::<.*Handler[A-Za-z0-9]+\\.Arn>:\\*$/g' }],
        },
      ],
      true,
    );
  }
  const pool = api.node.tryFindChild('UserPool');
  if (pool) {
    NagSuppressions.addResourceSuppressions(pool, [
      {
        id: 'AwsSolutions-COG8',
        reason:
          'The stack-created pool is the default for trying Latchkey; production brings its own IdP (context ' +
          'jwtIssuer/jwtAudience) or opts into the Plus feature plan, which is a cost decision.',
      },
    ]);
  }
}

/** The web stack: CloudFront's own choices, and BucketDeployment's deploy-time helper function. */
function suppressWeb(web: WebStack): void {
  NagSuppressions.addResourceSuppressions(web.distribution, [
    {
      id: 'AwsSolutions-CFR1',
      reason:
        'A workspace’s people sign in from wherever they work; the IdP and device trust gate access, not geography.',
    },
    {
      id: 'AwsSolutions-CFR2',
      reason:
        'WAF is a per-customer deployment choice (cost, managed rule sets); the API keeps its own throttling and every route its auth. Attach a web ACL with -c webAclArn when a deployment wants one.',
    },
    {
      id: 'AwsSolutions-CFR4',
      reason:
        'Without a custom domain CloudFront serves its default certificate, which allows TLSv1; the distribution sets TLSv1.2_2021 and takes effect as soon as a certificate and domain are attached.',
    },
  ]);
  // BucketDeployment's singleton function (runs at deploy time only, never on a request).
  NagSuppressions.addStackSuppressions(web, [
    {
      id: 'AwsSolutions-IAM4',
      reason:
        'The deploy-time BucketDeployment function uses AWSLambdaBasicExecutionRole for its own logs only.',
    },
    {
      id: 'AwsSolutions-IAM5',
      reason:
        'BucketDeployment copies the asset objects (s3:GetObject*/List* on the asset and s3:* object actions on the site bucket: object keys are not known in advance) and invalidates the distribution.',
    },
    { id: 'AwsSolutions-L1', reason: 'BucketDeployment pins its own runtime; it runs at deploy time only.' },
    {
      id: 'Serverless-LambdaLatestVersion',
      reason: 'BucketDeployment pins its own runtime; deploy time only.',
    },
    {
      id: 'Serverless-LambdaDLQ',
      reason: 'Invoked synchronously by CloudFormation; failures fail the deployment.',
    },
    {
      id: 'Serverless-LambdaDefaultMemorySize',
      reason: 'Set to 512 MB for the asset copy; the rule flags any explicit value in the helper.',
    },
    { id: 'Serverless-LambdaTracing', reason: 'A deploy-time copy job; no request path to trace.' },
    { id: 'Serverless-LambdaAsyncFailureDestination', reason: 'Invoked synchronously by CloudFormation.' },
  ]);
}
