/**
 * How the table-stream consumers (outbox relay, attachment clean-up) retry a failing record before it
 * goes to their on-failure destination. One constant for the deployed event source mappings and the
 * local stream relay (`local/stream-relay.ts`), so a fault run locally retries as often as AWS does.
 */
export const STREAM_RETRY_ATTEMPTS = 8;
