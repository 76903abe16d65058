// Imported first by run.ts: benchmark processes emit no EMF metrics lines (they would flood the tables).
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
