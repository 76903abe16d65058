import { fileURLToPath } from 'node:url';
import { Duration, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '../../shared/config/env';
import { PUSH_FANOUT } from '../../shared/config/push-fanout';
import type { PushPlatform } from '../../shared/domain/devices/model';
import { LatchkeyFunction } from './latchkey-function';

const PLATFORM_ENV: Record<PushPlatform, string> = {
  APNS: ENV.apnsPlatformArn,
  APNS_SANDBOX: ENV.apnsSandboxPlatformArn,
  FCM: ENV.fcmPlatformArn,
};

export interface PushDeliveryProps {
  table: ITable;
  applicationArns: Partial<Record<PushPlatform, string>>;
  logRetention: RetentionDays;
}

/**
 * Push work queue -> fan-out function -> SNS mobile push. The queue has a dead-letter queue with an
 * alarm; the function reports partial batch failures so only failed messages come back.
 */
export class PushDelivery extends Construct {
  readonly queue: Queue;
  readonly deadLetters: Queue;
  readonly fanout: LatchkeyFunction;
  readonly deadLetterAlarm: Alarm;

  constructor(scope: Construct, id: string, props: PushDeliveryProps) {
    super(scope, id);
    this.deadLetters = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Six times the function timeout, as Lambda's SQS guidance asks.
      visibilityTimeout: Duration.seconds(180),
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: 5 },
    });
    this.deadLetterAlarm = new Alarm(this, 'DeadLettersAlarm', {
      alarmDescription: 'Push jobs failed 5 times and wait in the dead-letter queue',
      metric: this.deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    this.fanout = new LatchkeyFunction(this, 'Fanout', {
      entry: fileURLToPath(new URL('../../functions/events/push-fanout.ts', import.meta.url)),
      description: 'Latchkey push fan-out: SQS -> SNS mobile push',
      timeout: Duration.seconds(30),
      logRetention: props.logRetention,
    });
    this.fanout.bindTable(props.table, 'readwrite');
    this.bindPlatforms(this.fanout, props.applicationArns);
    this.fanout.addToRolePolicy(
      new PolicyStatement({
        actions: ['sns:Publish', 'sns:DeleteEndpoint'],
        resources: [endpointArns(this)],
      }),
    );
    this.fanout.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: PUSH_FANOUT.batchSize,
        maxBatchingWindow: Duration.seconds(PUSH_FANOUT.maxBatchingWindowSeconds),
        reportBatchItemFailures: true,
      }),
    );
  }

  /** Tells a function the platform application ARNs (pushes to the others are undeliverable). */
  bindPlatforms(fn: LatchkeyFunction, applicationArns: Partial<Record<PushPlatform, string>>): void {
    for (const [platform, arn] of Object.entries(applicationArns) as Array<[PushPlatform, string]>) {
      fn.addEnvironment(PLATFORM_ENV[platform], arn);
    }
  }

  /** Lets an HTTP function create, update and delete endpoints under the platform applications. */
  bindRegistration(fn: LatchkeyFunction, applicationArns: Partial<Record<PushPlatform, string>>): void {
    this.bindPlatforms(fn, applicationArns);
    const applications = Object.values(applicationArns);
    if (applications.length > 0) {
      fn.addToRolePolicy(
        new PolicyStatement({ actions: ['sns:CreatePlatformEndpoint'], resources: applications }),
      );
    }
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['sns:SetEndpointAttributes', 'sns:DeleteEndpoint'],
        resources: [endpointArns(this)],
      }),
    );
  }
}

/** Mobile endpoints live under `endpoint/<platform>/<application>/<id>`. */
function endpointArns(scope: Construct): string {
  return Stack.of(scope).formatArn({ service: 'sns', resource: 'endpoint', resourceName: '*' });
}
