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

/**
 * A Lambda handler built on its first invocation from `build` (the composition root, usually behind an
 * `await import()` so module load stays small), then reused. A failed build is not kept: the next
 * invocation builds again.
 */
export function lazyHandler<A extends unknown[], R>(
  build: () => ((...args: A) => R) | Promise<(...args: A) => R>,
): (...args: A) => Promise<Awaited<R>> {
  let built: Promise<(...args: A) => R> | undefined;
  return async (...args: A): Promise<Awaited<R>> => {
    built ??= Promise.resolve().then(build);
    let handler: (...args: A) => R;
    try {
      handler = await built;
    } catch (error) {
      built = undefined;
      throw error;
    }
    return await handler(...args);
  };
}
