import { buildWebApp } from '../../local/web-server';

/** One build of the local web app for every browser test file (each serves it from its own port). */
export default async function setup() {
  await buildWebApp('stack');
}
