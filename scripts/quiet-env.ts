/**
 * Imported first by `npm run load` and `npm run faults`, before anything that creates the logger: the
 * logger reads POWERTOOLS_LOG_LEVEL once, at construction, and returns to that level on every warm
 * invocation, so setting it later (or calling setLogLevel) leaves the handlers' INFO lines drowning
 * the figures.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.POWERTOOLS_LOG_LEVEL = 'CRITICAL';
// The handlers' metrics (EMF lines on stdout) would drown the figures the same way.
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
