import { NagSuppressions } from 'cdk-nag';
import type { ApiStack } from './api-stack';
import type { StatefulStack } from './stateful-stack';

/**
 * Every cdk-nag finding we accept, each with the reason. The infra tests fail on any finding not
 * listed here, so a new one has to be fixed or argued for in this file.
 */
export function applySuppressions(_stateful: StatefulStack, api: ApiStack): void {
  for (const fn of api.functions.values()) {
    NagSuppressions.addResourceSuppressions(fn, [
      {
        id: 'AwsSolutions-L1',
        reason:
          'Pinned to nodejs22.x on purpose: the toolchain (middy 6, Powertools) is verified on Node 22.',
      },
      {
        id: 'Serverless-LambdaLatestVersion',
        reason:
          'Pinned to nodejs22.x on purpose: the toolchain (middy 6, Powertools) is verified on Node 22.',
      },
      {
        id: 'Serverless-LambdaDLQ',
        reason: 'Invoked synchronously by API Gateway; a DLQ only applies to asynchronous invocations.',
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
            'covers its own indexes (index/*) and KMS data-key actions on the table key only.',
          appliesTo: [
            'Resource::*',
            'Action::kms:ReEncrypt*',
            'Action::kms:GenerateDataKey*',
            // The table ARN renders as a local token or as the stateful stack's export, depending on synthesis.
            {
              regex:
                '/^Resource::(<Table[A-Za-z0-9]+\\.Arn>|Latchkey-[a-z0-9-]+-Stateful:ExportsOutputFnGetAttTable[A-Za-z0-9]+)\\/index\\/\\*$/g',
            },
          ],
        },
      ],
      true,
    );
  }
  const publicRoutes = ['RouteHealth', 'RouteDefault'];
  for (const id of publicRoutes) {
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
