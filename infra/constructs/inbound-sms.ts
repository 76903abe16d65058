import { fileURLToPath } from 'node:url';
import { Duration, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '../../shared/config/env';
import { LatchkeyFunction } from './latchkey-function';

export interface InboundSmsProps {
  table: ITable;
  topic: ITopic;
  logRetention: RetentionDays;
  inboxRetentionDays: number;
}

/**
 * Inbound SMS: End User Messaging publishes two-way messages for every managed number to the topic
 * (through a role it assumes); the handler stores them in the shared inbox. Deliveries that keep failing
 * go to a dead-letter queue with an alarm.
 */
export class InboundSms extends Construct {
  readonly handler: LatchkeyFunction;
  readonly deadLetters: Queue;
  readonly twoWayRole: Role;

  constructor(scope: Construct, id: string, props: InboundSmsProps) {
    super(scope, id);
    this.handler = new LatchkeyFunction(this, 'Handler', {
      entry: fileURLToPath(new URL('../../functions/events/inbound-sms.ts', import.meta.url)),
      description: 'Latchkey inbound SMS -> shared inbox',
      timeout: Duration.seconds(30),
      logRetention: props.logRetention,
      environment: { [ENV.inboxRetentionDays]: String(props.inboxRetentionDays) },
    });
    this.handler.bindTable(props.table, 'readwrite');
    this.deadLetters = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    props.topic.addSubscription(new LambdaSubscription(this.handler, { deadLetterQueue: this.deadLetters }));
    new Alarm(this, 'DeadLettersAlarm', {
      alarmDescription: 'Inbound SMS that could not be stored wait in the dead-letter queue',
      metric: this.deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    this.twoWayRole = new Role(this, 'TwoWayRole', {
      assumedBy: new ServicePrincipal('sms-voice.amazonaws.com'),
      description: 'Lets End User Messaging publish inbound SMS to the Latchkey topic',
    });
    props.topic.grantPublish(this.twoWayRole);
    this.props = props;
  }

  private readonly props: InboundSmsProps;

  /** Lets an HTTP function request and release numbers that report to the inbound topic. */
  bindPhoneNumbers(fn: LatchkeyFunction): void {
    const stack = Stack.of(this);
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: [
          'sms-voice:RequestPhoneNumber',
          'sms-voice:UpdatePhoneNumber',
          'sms-voice:ReleasePhoneNumber',
          'sms-voice:TagResource',
        ],
        resources: [stack.formatArn({ service: 'sms-voice', resource: 'phone-number', resourceName: '*' })],
      }),
    );
    this.twoWayRole.grantPassRole(fn.grantPrincipal);
    fn.addEnvironment(ENV.inboundSmsTopicArn, this.props.topic.topicArn);
    fn.addEnvironment(ENV.smsTwoWayRoleArn, this.twoWayRole.roleArn);
  }
}
