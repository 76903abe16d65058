import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { DEFAULTS } from '../config/env';

/**
 * One logger, one metrics and one tracer for the whole service. Powertools reads POWERTOOLS_* env vars
 * (log level, service name, disabled tracing locally); these defaults apply when none are set.
 */
export const logger = new Logger({ serviceName: DEFAULTS.serviceName });
export const metrics = new Metrics({
  serviceName: DEFAULTS.serviceName,
  namespace: DEFAULTS.metricsNamespace,
  // Its own diagnostics ("No application metrics to publish", a dropped dimension) become structured
  // WARN lines with the invocation's keys, not bare console text: filterable in CloudWatch, and held
  // back by the tests' quiet-logs setup unless the test fails.
  logger,
});
export const tracer = new Tracer({ serviceName: DEFAULTS.serviceName });

/** Masks an email for logs: `alice@acme.example` -> `a***@acme.example`. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${email[0]}***${email.slice(at)}`;
}
