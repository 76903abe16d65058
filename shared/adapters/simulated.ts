import type { PhoneNumbers, PushGateway, PushQueue } from '../ports';

/**
 * Adapters the local runtime swaps in where no local engine exists (SNS mobile push, SQS). Set once,
 * before any handler module loads; always empty in Lambda, where the real adapters are used.
 */
export const simulatedAdapters: {
  pushGateway?: PushGateway;
  pushQueue?: PushQueue;
  phoneNumbers?: PhoneNumbers;
} = {};
