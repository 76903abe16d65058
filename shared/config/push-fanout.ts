/**
 * How the push fan-out consumes its queue; the CDK event source, the local queue, the function and the
 * benchmark read these, so the bench measures what is deployed.
 *
 * 100 messages (one job each) per invocation: a batch's DynamoDB work is a few round trips whatever its
 * size (one BatchGetItem of the recipients' push devices, claims in transactions of 100 jobs, completions
 * in transactions of 25 jobs that overlap the publishing), so larger batches spend proportionally less
 * time on them. SQS only hands Lambda more than 10 messages with a batching window of at least 1 s,
 * which the queue already had: the wait for a lone push is unchanged.
 */
export const PUSH_FANOUT = {
  batchSize: 100,
  maxBatchingWindowSeconds: 1,
  /** Publish calls in flight per invocation (five invocations: 80 in flight when the queue is busy). */
  concurrency: 16,
} as const;
