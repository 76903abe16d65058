import { Duration } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { Archive, type IEventBus, Rule } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EVENT_SOURCE } from '../../shared/adapters/eventbridge/event-bus';
import { deadLetterQueue } from './dead-letters';

/** The domain events something subscribes to, each delivered to its own queue (consumers come later). */
export const SUBSCRIBED_EVENTS = ['user.deprovisioned'] as const;
export type SubscribedEvent = (typeof SUBSCRIBED_EVENTS)[number];

export interface DomainEventsProps {
  bus: IEventBus;
  /** How long the archive keeps every Latchkey event for replay. */
  archiveRetention?: Duration;
}

/**
 * Where published domain events go, so none is dropped into the void: an archive of every Latchkey
 * event (replayable after a consumer bug), and per subscribed event type a rule whose target is a
 * queue. The rule retries a failing delivery for a day, then parks the event in a dead-letter queue
 * with an alarm; the queue keeps messages 14 days for its consumer (password rotation subscribes to
 * `user.deprovisioned`), with its own redrive to a dead-letter queue and alarm.
 */
export class DomainEvents extends Construct {
  readonly archive: Archive;
  readonly queues: Record<SubscribedEvent, Queue>;
  readonly deliveryDeadLetters: Queue;
  /** Every dead-letter queue here (EventBridge's delivery one and each consumer's), all alarmed. */
  readonly deadLetterQueues: Queue[] = [];
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: DomainEventsProps) {
    super(scope, id);
    this.archive = new Archive(this, 'Archive', {
      sourceEventBus: props.bus,
      description: 'Every Latchkey domain event, for replay',
      eventPattern: { source: [EVENT_SOURCE] },
      retention: props.archiveRetention ?? Duration.days(90),
    });
    const delivery = deadLetterQueue(
      this,
      'DeliveryDeadLetters',
      'Domain events EventBridge could not deliver to their queue after its retries',
    );
    this.deliveryDeadLetters = delivery.queue;
    this.deadLetterQueues.push(delivery.queue);
    this.alarms.push(delivery.alarm);

    const queues = {} as Record<SubscribedEvent, Queue>;
    for (const type of SUBSCRIBED_EVENTS) {
      const name = type.replace(/\W+/g, '-');
      const consumerDeadLetters = deadLetterQueue(
        this,
        `${pascal(name)}DeadLetters`,
        `${type} events their consumer failed 5 times`,
      );
      this.alarms.push(consumerDeadLetters.alarm);
      this.deadLetterQueues.push(consumerDeadLetters.queue);
      const queue = new Queue(this, `${pascal(name)}Queue`, {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
        deadLetterQueue: { queue: consumerDeadLetters.queue, maxReceiveCount: 5 },
      });
      new Rule(this, `${pascal(name)}Rule`, {
        eventBus: props.bus,
        description: `${type} -> its queue`,
        eventPattern: { source: [EVENT_SOURCE], detailType: [type] },
        targets: [
          new SqsQueue(queue, {
            deadLetterQueue: this.deliveryDeadLetters,
            retryAttempts: 185,
            maxEventAge: Duration.hours(24),
          }),
        ],
      });
      queues[type] = queue;
    }
    this.queues = queues;
  }
}

function pascal(value: string): string {
  return value.replace(/(^|-)(\w)/g, (_m, _sep, char: string) => char.toUpperCase());
}
