import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { webSecurityHeaders } from '../shared/http/web-headers';
import { assertPortFree } from './ports';

/**
 * Serves the built web app at WEB_BASE_URL and proxies `/v1/*` (and the dev IdP's `/_local/token`) to
 * the API, so the app and the API share one origin exactly as CloudFront arranges it in AWS: no CORS,
 * and the device cookie is first-party. Unknown paths get `index.html` (the app routes by path).
 */

export const WEB_APP_DIR = resolve(import.meta.dirname, '../web/dist/stack');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

export interface WebServer {
  url: string;
  stop(): Promise<void>;
}

function isProxied(path: string): boolean {
  return path.startsWith('/v1/') || path === '/_local/token';
}

export async function startWebServer(options: {
  port: number;
  apiUrl: string;
  dir?: string;
}): Promise<WebServer> {
  await assertPortFree(options.port, 'WEB_PORT', 'web app');
  const dir = options.dir ?? WEB_APP_DIR;
  if (!existsSync(join(dir, 'index.html')))
    throw new Error(`No built web app in ${dir}: run npm run web:build.`);
  const api = new URL(options.apiUrl);
  const headers = webSecurityHeaders();

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://web.local');
    if (isProxied(url.pathname)) {
      const upstream = request(
        {
          host: api.hostname,
          port: api.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: api.host },
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ error: 'bad_gateway', message: 'The API did not answer.' }));
      });
      req.pipe(upstream);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...headers, allow: 'GET, HEAD' }).end();
      return;
    }
    let file = normalize(join(dir, decodeURIComponent(url.pathname)));
    if (!file.startsWith(dir + sep) || !existsSync(file) || !statSync(file).isFile()) {
      file = join(dir, 'index.html');
    }
    const hashed = file.includes(`${sep}assets${sep}`);
    res.writeHead(200, {
      ...headers,
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      // Hashed assets never change; index.html always revalidates so a deploy shows up at once.
      'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  await new Promise<void>((ready, fail) => {
    server.once('error', fail);
    server.listen(options.port, '127.0.0.1', () => ready());
  });
  return {
    url: `http://localhost:${options.port}`,
    stop: () =>
      new Promise((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

/** Builds the app for the local stack (dev sign-in and phone view included) with Vite. */
export async function buildWebApp(mode: 'stack' | 'production' = 'stack', outDir?: string) {
  const { build } = await import('vite');
  await build({
    configFile: resolve(import.meta.dirname, '../web/vite.config.ts'),
    mode,
    logLevel: 'warn',
    ...(outDir ? { build: { outDir, emptyOutDir: true } } : {}),
  });
}
