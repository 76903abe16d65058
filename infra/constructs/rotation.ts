import { fileURLToPath } from 'node:url';
import { Duration } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '../../shared/config/env';
import { deadLetterQueue } from './dead-letters';
import { LatchkeyFunction } from './latchkey-function';

export interface RotationProps {
  table: ITable;
  secretsKey: IKey;
  emailFrom: string;
  logRetention: RetentionDays;
  /** One connector call's time box (ms); the connector function's timeout sits 5 s above it. */
  connectorTimeoutMs?: number;
  /** How often the sweep looks for due rotations (default 15 minutes). */
  sweepEvery?: Duration;
}

export const rotationEntry = (file: string) =>
  fileURLToPath(new URL(`../../functions/jobs/${file}`, import.meta.url));
const entry = rotationEntry;

/**
 * The grants of the rotation functions that use the shared binders (a test derives the same from the
 * adapter modules each entry reaches). The connector is narrower on purpose: `dynamodb:GetItem` and
 * `kms:Decrypt` only, granted by hand below.
 */
export const ROTATION_NEEDS = {
  'rotation-worker.ts': { table: 'readwrite', secrets: true, mail: true },
  'rotation-sweep.ts': { table: 'readwrite' },
} as const;

/**
 * Password rotation: the rotation queue (fed by the outbox relay) -> the worker, which drives the
 * state machine and invokes the isolated connector function; the scheduled sweep queues due rotations.
 * The connector may read table items and decrypt, nothing else: it opens the sealed versions a request
 * names and talks to the app; it cannot write the table, send mail or reach any queue.
 */
export class Rotation extends Construct {
  readonly queue: Queue;
  readonly deadLetters: Queue;
  readonly deadLetterAlarm: Alarm;
  readonly worker: LatchkeyFunction;
  readonly connector: LatchkeyFunction;
  readonly sweep: LatchkeyFunction;

  constructor(scope: Construct, id: string, props: RotationProps) {
    super(scope, id);
    const timeoutMs = props.connectorTimeoutMs ?? 10_000;
    const dlq = deadLetterQueue(
      this,
      'DeadLetters',
      'Rotation jobs that outlived the queue’s receive budget',
    );
    this.deadLetters = dlq.queue;
    this.deadLetterAlarm = dlq.alarm;
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // The retry delay of a failed attempt, and six times the worker's timeout (Lambda's SQS guidance).
      visibilityTimeout: Duration.minutes(6),
      // More receives than the engine's attempts: the engine ends a rotation `failed` before the DLQ.
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: 10 },
    });

    this.connector = new LatchkeyFunction(this, 'Connector', {
      entry: entry('connector.ts'),
      description: 'Latchkey connector: changes passwords and turns on TOTP at apps (ids in, ok out)',
      timeout: Duration.millis(timeoutMs + 5_000),
      memorySize: 256,
      logRetention: props.logRetention,
      environment: { [ENV.connectorTimeoutMs]: String(timeoutMs) },
    });
    // Least privilege: single-item reads of the table and Decrypt on the secrets key, nothing more.
    this.connector.addToRolePolicy(
      new PolicyStatement({ actions: ['dynamodb:GetItem'], resources: [props.table.tableArn] }),
    );
    this.connector.addEnvironment(ENV.tableName, props.table.tableName);
    props.secretsKey.grant(this.connector, 'kms:Decrypt');
    this.connector.addEnvironment(ENV.secretsKeyId, props.secretsKey.keyArn);

    this.worker = new LatchkeyFunction(this, 'Worker', {
      entry: entry('rotation-worker.ts'),
      description: 'Latchkey rotation worker: the rotation state machine, one job at a time',
      timeout: Duration.seconds(60),
      logRetention: props.logRetention,
      environment: { [ENV.connectorTimeoutMs]: String(timeoutMs) },
    });
    const workerNeeds = ROTATION_NEEDS['rotation-worker.ts'];
    this.worker
      .bindTable(props.table, workerNeeds.table)
      .bindSecretsKey(props.secretsKey)
      .bindMailer(props.emailFrom);
    this.connector.grantInvoke(this.worker);
    this.worker.addEnvironment(ENV.connectorFunctionName, this.connector.functionName);
    this.worker.addEventSource(
      new SqsEventSource(this.queue, { batchSize: 1, reportBatchItemFailures: true }),
    );

    this.sweep = new LatchkeyFunction(this, 'Sweep', {
      entry: entry('rotation-sweep.ts'),
      description: 'Latchkey rotation sweep: queues the rotations the sparse due index names',
      timeout: Duration.seconds(60),
      logRetention: props.logRetention,
    });
    this.sweep.bindTable(props.table, ROTATION_NEEDS['rotation-sweep.ts'].table);
    new Rule(this, 'SweepSchedule', {
      description: 'Runs the rotation sweep',
      schedule: Schedule.rate(props.sweepEvery ?? Duration.minutes(15)),
      targets: [new LambdaFunction(this.sweep, { retryAttempts: 2, deadLetterQueue: this.deadLetters })],
    });
  }
}
