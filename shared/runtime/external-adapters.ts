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
 * A Lambda handler built on its first invocation from `build` (the composition root), then reused;
 * instrumented (Powertools context, metrics, tracing, correlation id) like every entry.
 */
export function lazyHandler<H extends LambdaHandler>(build: () => H): Instrumented<H> {
  let built: H | undefined;
  return instrument(((event: never, context: never) => {
    built ??= build();
    return built(event, context);
  }) as H);
}
