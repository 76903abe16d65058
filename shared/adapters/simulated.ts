import type { InboundMessage } from '../domain/accounts/ingest';
import type { BlobStore, PhoneNumbers, PushGateway, PushQueue } from '../ports';

/**
 * Adapters the local runtime swaps in where no local engine exists (SNS mobile push, SQS, End User Messaging, S3). Set once,
 * before any handler module loads; always empty in Lambda, where the real adapters are used.
 */
export const simulatedAdapters: {
  pushGateway?: PushGateway;
  pushQueue?: PushQueue;
  phoneNumbers?: PhoneNumbers;
  blobStore?: BlobStore;
  inboundQueue?: { enqueue(items: InboundMessage[]): Promise<void> };
} = {};
