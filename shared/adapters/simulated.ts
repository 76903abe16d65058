import type { InboundMessage } from '../domain/accounts/ingest';
import type { BlobStore, PhoneNumbers, PushGateway } from '../ports';

/**
 * Adapters the local runtime swaps in where no local engine exists (SNS mobile push, End User Messaging, S3, the inbound-mail queue). Set once,
 * before any handler module loads; always empty in Lambda, where the real adapters are used.
 */
export const simulatedAdapters: {
  pushGateway?: PushGateway;
  phoneNumbers?: PhoneNumbers;
  blobStore?: BlobStore;
  inboundQueue?: { enqueue(items: InboundMessage[]): Promise<void> };
} = {};
