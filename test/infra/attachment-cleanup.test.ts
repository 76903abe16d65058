import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { BASE_CONTEXT, buildApp } from '../../infra/app';
import { ENV } from '../../shared/config/env';

type Resource = ReturnType<Template['findResources']>[string];
type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };

describe('CDK app: attachment clean-up', () => {
  let api: Template;
  let cleanupId: string;
  let cleanup: Resource;
  beforeAll(() => {
    // No esbuild here: `aws:cdk:bundling-stacks` = [] bundles no stack.
    const built = buildApp(new App({ context: { ...BASE_CONTEXT, 'aws:cdk:bundling-stacks': [] } }));
    api = Template.fromStack(built.api);
    const found = Object.entries(api.findResources('AWS::Lambda::Function')).filter(([, fn]) =>
      String(fn.Properties.Description).startsWith('Latchkey attachment clean-up'),
    );
    expect(found).toHaveLength(1);
    [cleanupId, cleanup] = found[0] as [string, Resource];
  });

  const statementsOf = (functionId: string): Statement[] => {
    const role = (cleanupId === functionId ? cleanup : api.findResources('AWS::Lambda::Function')[functionId])
      ?.Properties.Role['Fn::GetAtt'][0];
    return Object.values(api.findResources('AWS::IAM::Policy'))
      .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(role))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
  };
  const actionsOf = (statement: Statement) =>
    Array.isArray(statement.Action) ? statement.Action : [statement.Action];

  it('reads the table stream through a filter: attachment records removed, secret items removed by TTL', () => {
    api.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: cleanupId },
      StartingPosition: 'TRIM_HORIZON',
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: 8,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
      FilterCriteria: {
        Filters: [
          {
            Pattern: JSON.stringify({
              eventName: ['REMOVE'],
              userIdentity: { type: ['Service'], principalId: ['dynamodb.amazonaws.com'] },
              dynamodb: { Keys: { pk: { S: [{ prefix: 'SECRET#' }] }, sk: { S: ['META'] } } },
            }),
          },
          {
            Pattern: JSON.stringify({
              eventName: ['REMOVE'],
              dynamodb: {
                Keys: { pk: { S: [{ prefix: 'SECRET#' }] }, sk: { S: [{ prefix: 'ATTACHMENT#' }] } },
              },
            }),
          },
        ],
      },
    });
  });

  it('sends records that keep failing to an encrypted dead-letter queue with an alarm', () => {
    const [mapping] = Object.values(
      api.findResources('AWS::Lambda::EventSourceMapping', {
        Properties: { FunctionName: { Ref: cleanupId } },
      }),
    );
    const dlqArn = mapping?.Properties.DestinationConfig.OnFailure.Destination['Fn::GetAtt'];
    const [queueId] = dlqArn as [string];
    const queue = api.findResources('AWS::SQS::Queue')[queueId];

    expect(queue?.Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 1_209_600,
    });
    api.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmDescription: Match.stringLikeRegexp('^Attachment clean-ups that failed after their retries'),
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
      Threshold: 1,
    });
  });

  it('may list and delete under attachments/ and nothing else in the bucket: no read, no put, no KMS', () => {
    const statements = statementsOf(cleanupId);
    const s3 = statements.filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith('s3:')),
    );
    const kms = statements.filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith('kms:')),
    );

    expect(s3.flatMap(actionsOf).sort()).toEqual(['s3:DeleteObject', 's3:ListBucket']);
    const list = s3.find((statement) => actionsOf(statement).includes('s3:ListBucket'));
    const remove = s3.find((statement) => actionsOf(statement).includes('s3:DeleteObject'));
    expect(list?.Condition).toEqual({ StringLike: { 's3:prefix': ['attachments/*'] } });
    expect(JSON.stringify(remove?.Resource)).toContain('/attachments/*');
    // The table's key only (the stream and the items are encrypted with it); not the attachments key.
    expect(kms.flatMap(actionsOf)).not.toContain('kms:GenerateDataKey');
    expect(cleanup.Properties.Environment.Variables).toHaveProperty(ENV.attachmentsBucket);
    expect(cleanup.Properties.Environment.Variables).toHaveProperty(ENV.tableName);
  });

  it('leaves deleting attachment objects to the clean-up alone: the secrets function may not', () => {
    const deleters = Object.values(api.findResources('AWS::IAM::Policy')).filter((policy) =>
      JSON.stringify(policy.Properties.PolicyDocument).includes('s3:DeleteObject'),
    );

    expect(deleters).toHaveLength(1);
    expect(JSON.stringify(deleters[0]?.Properties.Roles)).toContain(cleanup.Properties.Role['Fn::GetAtt'][0]);
  });
});
