/**
 * How notifications become push jobs and how the fan-out consumes its queue; `notify`, the CDK event
 * source, the local queue, the function and the benchmark read these, so the bench measures what is
 * deployed.
 *
 * A job carries one notification to up to 10 recipients: the delivery log's claim and completion are
 * per job, so a notification to 1,000 people costs 100 of each instead of 1,000 (and 100 queue
 * messages). 10 jobs (up to 100 recipients) per invocation keep a big notification spread over the
 * invocations SQS runs at once, and a batch of 10 needs no batching window: a lone push (an approval
 * request) is handed over as soon as it is queued.
 */
export const PUSH_FANOUT = {
  recipientsPerJob: 10,
  batchSize: 10,
  maxBatchingWindowSeconds: 0,
  /** Publish calls in flight per invocation (five invocations: 80 in flight when the queue is busy). */
  concurrency: 16,
} as const;
