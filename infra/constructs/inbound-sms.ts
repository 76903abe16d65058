import { fileURLToPath } from 'node:url';
import { Duration, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { SqsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '../../shared/config/env';
import { deadLetterQueue } from './dead-letters';
import { LatchkeyFunction } from './latchkey-function';

export interface InboundSmsProps {
  table: ITable;
  topic: ITopic;
  logRetention: RetentionDays;
  inboxRetentionDays: number;
}

/**
 * Inbound SMS: End User Messaging publishes two-way messages for every managed number to the topic
 * (through a role it assumes); the topic delivers them raw to a queue, whose consumer stores them in
 * the shared inbox with partial batch responses. A message that keeps failing ends in the queue's
 * dead-letter queue; one the topic cannot deliver to the queue ends in the subscription's. Both alarm.
 */
export class InboundSms extends Construct {
  readonly handler: LatchkeyFunction;
  readonly queue: Queue;
  readonly deadLetters: Queue;
  readonly subscriptionDeadLetters: Queue;
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
    this.deadLetters = deadLetterQueue(
      this,
      'DeadLetters',
      'Inbound SMS that could not be stored after 5 receives',
    ).queue;
    this.subscriptionDeadLetters = deadLetterQueue(
      this,
      'SubscriptionDeadLetters',
      'Inbound SMS the topic could not deliver to the inbound SMS queue',
    ).queue;
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Six times the function timeout, as Lambda's SQS guidance asks.
      visibilityTimeout: Duration.seconds(180),
      retentionPeriod: Duration.days(14),
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: 5 },
    });
    // Raw delivery: the body is End User Messaging's own document, timed by the SQS SentTimestamp.
    props.topic.addSubscription(
      new SqsSubscription(this.queue, {
        rawMessageDelivery: true,
        deadLetterQueue: this.subscriptionDeadLetters,
      }),
    );
    this.handler.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: 10,
        maxBatchingWindow: Duration.seconds(1),
        reportBatchItemFailures: true,
      }),
    );

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
