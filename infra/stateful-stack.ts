import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
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
import { BlockPublicAccess, Bucket, BucketEncryption, HttpMethods } from 'aws-cdk-lib/aws-s3';
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
  /** Secrets' attachments: written and read only through presigned requests (docs/secrets.md). */
  readonly attachmentsBucket: Bucket;
  readonly attachmentsKey: Key;

  constructor(scope: Construct, id: string, props?: StackProps & { attachmentOrigins?: string[] }) {
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
    this.attachmentsKey = new Key(this, 'AttachmentsKey', {
      description: "Latchkey encryption of secrets' attachments",
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.attachmentsBucket = new Bucket(this, 'Attachments', {
      encryption: BucketEncryption.KMS,
      encryptionKey: this.attachmentsKey,
      bucketKeyEnabled: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      lifecycleRules: [
        {
          // A deleted attachment (or a purged secret's) leaves a noncurrent version: gone a day later.
          noncurrentVersionExpiration: Duration.days(1),
          expiredObjectDeleteMarker: true,
          // A multipart upload never completed (not used by presigned POST, but never kept either).
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      // The web app uploads with the presigned POST and downloads with the presigned GET.
      cors: props?.attachmentOrigins?.length
        ? [
            {
              allowedOrigins: props.attachmentOrigins,
              allowedMethods: [HttpMethods.POST, HttpMethods.GET],
              allowedHeaders: ['*'],
              maxAge: 3000,
            },
          ]
        : [],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: TABLE.gsi1.indexName,
      partitionKey: { name: TABLE.gsi1.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE.gsi1.sortKey, type: AttributeType.STRING },
      projectionType: ProjectionType.ALL,
    });
  }
}
