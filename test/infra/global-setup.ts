import { buildWebApp } from '../../local/web-server';

/** The web stack deploys the production build: synthesis needs it on disk. */
export default async function setup() {
  await buildWebApp('production');
}
