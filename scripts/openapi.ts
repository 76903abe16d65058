import { readFileSync, writeFileSync } from 'node:fs';
import { buildOpenApi } from '../shared/http/openapi';

/** `npm run openapi`: regenerates docs/openapi.json from the route manifest. */
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};
const target = new URL('../docs/openapi.json', import.meta.url);
writeFileSync(target, `${JSON.stringify(buildOpenApi(version), null, 2)}\n`);
console.log(`wrote ${target.pathname}`);
