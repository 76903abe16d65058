import type { InboundMessage } from '../domain/accounts/ingest';
import type { BlobStore, PhoneNumbers, PushGateway } from '../domain/ports';
import { type Instrumented, instrument, type LambdaHandler } from '../observability/telemetry';

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
 * `await import()` so module load stays small), then reused; instrumented (Powertools context, metrics,
 * tracing, correlation id) like every entry. A failed build is not kept: the next invocation builds again.
 */
export function lazyHandler<H extends LambdaHandler>(build: () => H | Promise<H>): Instrumented<H> {
  let built: Promise<H> | undefined;
  return instrument((async (event: never, context: never) => {
    built ??= Promise.resolve().then(build);
    let handler: H;
    try {
      handler = await built;
    } catch (error) {
      built = undefined;
      throw error;
    }
    return await handler(event, context);
  }) as unknown as H);
}
