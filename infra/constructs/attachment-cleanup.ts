import { fileURLToPath } from 'node:url';
import { Duration } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { FilterCriteria, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ATTACHMENT_CLEANUP_FILTERS } from '../../shared/adapters/dynamodb/secret-removals';
import { ENV } from '../../shared/config/env';
import { STREAM_RETRY_ATTEMPTS } from '../../shared/config/stream-consumers';
import { deadLetterQueue } from './dead-letters';
import { LatchkeyFunction } from './latchkey-function';

export const attachmentCleanupEntry = () =>
  fileURLToPath(new URL('../../functions/events/attachment-cleanup.ts', import.meta.url));

/**
 * The clean-up's grants, and the only place they come from (a test derives the same from the adapter
 * modules its entry reaches): the table read-write (what a removed secret's partition still holds),
 * and list + delete under `attachments/` in the bucket, nothing else (no read, no KMS: deleting an
 * object needs neither).
 */
export const ATTACHMENT_CLEANUP_NEEDS = { table: 'readwrite', attachmentObjects: true } as const;

export interface AttachmentCleanupProps {
  table: ITable;
  bucket: IBucket;
  logRetention: RetentionDays;
}

/**
 * The table's stream -> the attachment clean-up -> DeleteObjects in the attachments bucket. Only
 * attachment records removed (by anyone) and secret items removed by TTL reach the function (event
 * filter); a failing record is retried with the batch bisected, then its stream coordinates go to a
 * dead-letter queue with an alarm. The table's stream has two consumers (this and the outbox relay),
 * the most DynamoDB Streams serves without throttling; a third would need a fan-out.
 */
export class AttachmentCleanup extends Construct {
  readonly handler: LatchkeyFunction;
  readonly deadLetters: Queue;
  readonly deadLetterAlarm: Alarm;

  constructor(scope: Construct, id: string, props: AttachmentCleanupProps) {
    super(scope, id);
    const dlq = deadLetterQueue(
      this,
      'DeadLetters',
      'Attachment clean-ups that failed after their retries: objects may remain in the bucket',
    );
    this.deadLetters = dlq.queue;
    this.deadLetterAlarm = dlq.alarm;
    this.handler = new LatchkeyFunction(this, 'Handler', {
      entry: attachmentCleanupEntry(),
      description: 'Latchkey attachment clean-up: removed attachment records and purged secrets -> S3',
      timeout: Duration.seconds(60),
      logRetention: props.logRetention,
    });
    this.handler.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 25,
        maxBatchingWindow: Duration.seconds(5),
        bisectBatchOnError: true,
        retryAttempts: STREAM_RETRY_ATTEMPTS,
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(this.deadLetters),
        filters: ATTACHMENT_CLEANUP_FILTERS.map((pattern) => FilterCriteria.filter(pattern)),
      }),
    );
    this.handler.bindTable(props.table, ATTACHMENT_CLEANUP_NEEDS.table);
    if (ATTACHMENT_CLEANUP_NEEDS.attachmentObjects) {
      this.handler.addToRolePolicy(
        new PolicyStatement({
          actions: ['s3:ListBucket'],
          resources: [props.bucket.bucketArn],
          conditions: { StringLike: { 's3:prefix': ['attachments/*'] } },
        }),
      );
      this.handler.addToRolePolicy(
        new PolicyStatement({
          actions: ['s3:DeleteObject'],
          resources: [props.bucket.arnForObjects('attachments/*')],
        }),
      );
      this.handler.addEnvironment(ENV.attachmentsBucket, props.bucket.bucketName);
    }
  }
}
