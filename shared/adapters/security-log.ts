import type { SecurityLog } from '../domain/ports';
import { logger } from '../observability';

/** Security events as structured log lines, filterable in CloudWatch by `securityEvent`. */
export const securityLog: SecurityLog = {
  record(event) {
    logger.info('security event', { securityEvent: event.event, ...event });
  },
};
