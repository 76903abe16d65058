import type { InboundMessage } from '../domain/accounts/ingest';
import type { BlobStore, PhoneNumbers, PushGateway } from '../domain/ports';

/**
 * The adapters the local runtime replaces with simulators (no local engine exists for them). A function
 * that needs one exports `createHandler(adapters)`; Lambda's `handler` builds the AWS ones, the local
 * runtime calls `createHandler` with its simulators. Nothing is switched through module state.
 */
export interface ExternalAdapters {
  pushGateway: PushGateway;
  phoneNumbers: PhoneNumbers;
  blobStore: BlobStore;
  inboundQueue: { enqueue(items: InboundMessage[]): Promise<void> };
}

/** A Lambda handler built on its first invocation from `build` (the composition root), then reused. */
export function lazyHandler<A extends unknown[], R>(build: () => (...args: A) => R): (...args: A) => R {
  let built: ((...args: A) => R) | undefined;
  return (...args: A) => {
    built ??= build();
    return built(...args);
  };
}
