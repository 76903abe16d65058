import { fileURLToPath } from 'node:url';
import { Duration } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { OUTBOX_ENTITY } from '../../shared/adapters/dynamodb/outbox';
import { ENV } from '../../shared/config/env';
import { STREAM_RETRY_ATTEMPTS } from '../../shared/config/stream-consumers';
import { TABLE } from '../../shared/config/table';
import { deadLetterQueue } from './dead-letters';
import { LatchkeyFunction } from './latchkey-function';

export interface OutboxRelayProps {
  table: ITable;
  bus: IEventBus;
  pushQueue: Queue;
  /** Rotation jobs go here (the rotation worker's queue). */
  rotationQueue?: Queue;
  /** Opens the sealed emails of mail events (Decrypt only). */
  secretsKey: IKey;
  /** The sender of every email the relay sends (request paths record emails, the relay sends them). */
  emailFrom: string;
  logRetention: RetentionDays;
}

/**
 * The table's stream -> the relay function -> the push queue, the event bus, or SES (sealed emails). Only inserted outbox
 * items reach the function (event filter). A failing record is retried (the batch is split to find
 * it), then its stream coordinates go to a dead-letter queue with an alarm.
 */
export class OutboxRelay extends Construct {
  readonly handler: LatchkeyFunction;
  readonly deadLetters: Queue;
  readonly deadLetterAlarm: Alarm;

  constructor(scope: Construct, id: string, props: OutboxRelayProps) {
    super(scope, id);
    const dlq = deadLetterQueue(
      this,
      'DeadLetters',
      'Outbox events the relay could not publish after its retries',
    );
    this.deadLetters = dlq.queue;
    this.deadLetterAlarm = dlq.alarm;
    this.handler = new LatchkeyFunction(this, 'Handler', {
      entry: fileURLToPath(new URL('../../functions/events/outbox-relay.ts', import.meta.url)),
      description: 'Latchkey outbox relay: table stream -> push queue / event bus / SES',
      timeout: Duration.seconds(60),
      logRetention: props.logRetention,
    });
    this.handler.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        maxBatchingWindow: Duration.seconds(1),
        bisectBatchOnError: true,
        retryAttempts: STREAM_RETRY_ATTEMPTS,
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(this.deadLetters),
        filters: [
          FilterCriteria.filter({
            eventName: FilterRule.isEqual('INSERT'),
            dynamodb: { NewImage: { [TABLE.entityAttribute]: { S: FilterRule.isEqual(OUTBOX_ENTITY) } } },
          }),
        ],
      }),
    );
    props.pushQueue.grantSendMessages(this.handler);
    this.handler.addEnvironment(ENV.pushQueueUrl, props.pushQueue.queueUrl);
    if (props.rotationQueue) {
      props.rotationQueue.grantSendMessages(this.handler);
      this.handler.addEnvironment(ENV.rotationQueueUrl, props.rotationQueue.queueUrl);
    }
    props.bus.grantPutEventsTo(this.handler);
    // Mail events: open the sealed email, send it, mark it sent (the table write) so a replay skips it.
    this.handler.bindTable(props.table, 'readwrite').bindMailer(props.emailFrom);
    props.secretsKey.grant(this.handler, 'kms:Decrypt');
    this.handler.addEnvironment(ENV.secretsKeyId, props.secretsKey.keyArn);
    this.handler.addEnvironment(ENV.eventBusName, props.bus.eventBusName);
  }
}
