import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import { ReceiptRuleSet, TlsPolicy } from 'aws-cdk-lib/aws-ses';
import { Lambda as LambdaAction, LambdaInvocationType, S3 as S3Action } from 'aws-cdk-lib/aws-ses-actions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '../../shared/config/env';
import { LatchkeyFunction } from './latchkey-function';

export interface InboundEmailProps {
  table: ITable;
  domain: string;
  logRetention: RetentionDays;
  inboxRetentionDays: number;
}

const PREFIX = 'inbound/';

/**
 * SES receiving for the managed addresses: a receipt rule set for the domain writes the raw MIME to an
 * encrypted bucket (expiring), then invokes the parser, which queues the parsed message for the inbox
 * function. Every asynchronous hop has a dead-letter queue with an alarm. The rule set must be made
 * the active one once (README, Deploy).
 */
export class InboundEmail extends Construct {
  readonly bucket: Bucket;
  readonly parser: LatchkeyFunction;
  readonly ingest: LatchkeyFunction;
  readonly queue: Queue;
  readonly deadLetters: Queue[];
  readonly ruleSet: ReceiptRuleSet;

  constructor(scope: Construct, id: string, props: InboundEmailProps) {
    super(scope, id);
    this.bucket = new Bucket(this, 'RawMail', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      lifecycleRules: [
        {
          expiration: Duration.days(props.inboxRetentionDays),
          noncurrentVersionExpiration: Duration.days(1),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const parserDeadLetters = new Queue(this, 'ParserDeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const ingestDeadLetters = new Queue(this, 'IngestDeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.deadLetters = [parserDeadLetters, ingestDeadLetters];
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(180),
      deadLetterQueue: { queue: ingestDeadLetters, maxReceiveCount: 5 },
    });

    this.parser = new LatchkeyFunction(this, 'Parser', {
      entry: fileURLToPath(new URL('../../functions/events/inbound-email.ts', import.meta.url)),
      description: 'Latchkey inbound email: raw MIME from S3 -> parsed message queue',
      timeout: Duration.seconds(60),
      memorySize: 1024,
      logRetention: props.logRetention,
      deadLetterQueue: parserDeadLetters,
      environment: {
        [ENV.inboundMailBucket]: this.bucket.bucketName,
        [ENV.inboundMailPrefix]: PREFIX,
        [ENV.inboundQueueUrl]: this.queue.queueUrl,
      },
    });
    this.parser.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [this.bucket.arnForObjects(`${PREFIX}*`)],
      }),
    );
    this.queue.grantSendMessages(this.parser);

    this.ingest = new LatchkeyFunction(this, 'Ingest', {
      entry: fileURLToPath(new URL('../../functions/events/inbound-ingest.ts', import.meta.url)),
      description: 'Latchkey inbound email: parsed message -> shared inbox',
      timeout: Duration.seconds(30),
      logRetention: props.logRetention,
      environment: { [ENV.inboxRetentionDays]: String(props.inboxRetentionDays) },
    });
    this.ingest.bindTable(props.table, 'readwrite');
    this.ingest.addEventSource(
      new SqsEventSource(this.queue, { batchSize: 10, reportBatchItemFailures: true }),
    );

    for (const [name, queue] of [
      ['ParserDeadLettersAlarm', parserDeadLetters],
      ['IngestDeadLettersAlarm', ingestDeadLetters],
    ] as const) {
      new Alarm(this, name, {
        alarmDescription: 'Inbound email that could not be processed waits in a dead-letter queue',
        metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    }

    this.ruleSet = new ReceiptRuleSet(this, 'RuleSet', {
      rules: [
        {
          recipients: [props.domain],
          scanEnabled: true,
          tlsPolicy: TlsPolicy.REQUIRE,
          actions: [
            new S3Action({ bucket: this.bucket, objectKeyPrefix: PREFIX }),
            new LambdaAction({ function: this.parser, invocationType: LambdaInvocationType.EVENT }),
          ],
        },
      ],
    });
  }
}
