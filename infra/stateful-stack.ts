import { RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import {
  AttributeType,
  BillingMode,
  ProjectionType,
  StreamViewType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { Key, KeySpec, KeyUsage } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { TABLE } from '../shared/config/table';

/** What outlives every deploy: the table and the keys. Retained and protected; never replaced casually. */
export class StatefulStack extends Stack {
  readonly table: Table;
  readonly tableKey: Key;
  /** Envelope encryption of account passwords and TOTP seeds. */
  readonly secretsKey: Key;
  /** HMAC_256 key from which the server HMAC key (codes, credentials) is derived; never leaves KMS. */
  readonly hmacKey: Key;
  /** Two-way SMS from End User Messaging for every managed number; encrypted, retained. */
  readonly inboundSmsTopic: Topic;
  readonly messagingKey: Key;
  /** Domain events (`user.deprovisioned`, ...), published by the outbox relay after commit. */
  readonly eventBus: EventBus;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.tableKey = new Key(this, 'TableKey', {
      description: 'Latchkey table encryption',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.secretsKey = new Key(this, 'SecretsKey', {
      description: 'Latchkey envelope encryption of shared-account secrets',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.hmacKey = new Key(this, 'HmacKey', {
      description: 'Latchkey server HMAC key derivation (codes and device credentials)',
      keySpec: KeySpec.HMAC_256,
      keyUsage: KeyUsage.GENERATE_VERIFY_MAC,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.messagingKey = new Key(this, 'MessagingKey', {
      description: 'Latchkey inbound SMS topic encryption',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.inboundSmsTopic = new Topic(this, 'InboundSmsTopic', {
      displayName: 'Latchkey inbound SMS',
      masterKey: this.messagingKey,
      enforceSSL: true,
    });
    this.inboundSmsTopic.applyRemovalPolicy(RemovalPolicy.RETAIN);
    this.table = new Table(this, 'Table', {
      partitionKey: { name: TABLE.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: TABLE.ttlAttribute,
      // New items (the outbox) are relayed from the stream after commit.
      stream: StreamViewType.NEW_IMAGE,
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.tableKey,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.eventBus = new EventBus(this, 'EventBus', {
      description: 'Latchkey domain events (from the outbox)',
    });
    this.eventBus.applyRemovalPolicy(RemovalPolicy.RETAIN);
    this.table.addGlobalSecondaryIndex({
      indexName: TABLE.gsi1.indexName,
      partitionKey: { name: TABLE.gsi1.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE.gsi1.sortKey, type: AttributeType.STRING },
      projectionType: ProjectionType.ALL,
    });
  }
}
