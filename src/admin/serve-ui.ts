import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where `npm run build` puts the web UI (Vite's output; not committed). */
export const uiDistDir = fileURLToPath(new URL('../../dist/ui/', import.meta.url));

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

// Everything the page loads comes from this gateway; it is never framed by another site.
const securityHeaders = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
};

/**
 * `GET /ui/*`: the built single-page app. A path that names a file serves it (hashed assets are
 * immutable); any other path under /ui gets index.html, and the app routes in the browser. The files
 * hold no data — every number comes from /api with the caller's identity — so they need no identity.
 */
export async function serveUi(request: IncomingMessage, response: ServerResponse, path: string, dir = uiDistDir): Promise<void> {
  request.resume();
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
    return;
  }
  if (path === '/ui') {
    response.writeHead(308, { location: '/ui/' }).end();
    return;
  }
  let relative: string;
  try {
    relative = normalize(decodeURIComponent(path.slice('/ui/'.length)));
  } catch {
    relative = '';
  }
  const safe = relative !== '' && relative !== '.' && !relative.startsWith('..') && !relative.includes(`${sep}..`);
  // Built files live in assets/ (and index.html); any other path is an app route, even one that looks
  // like a file name (`/ui/users/alice@example.com`).
  const isAsset = safe && relative.startsWith(`assets${sep}`);
  const file = isAsset ? join(dir, relative) : join(dir, 'index.html');
  let body: Buffer;
  try {
    body = await readFile(file);
  } catch {
    if (isAsset) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    response.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' }).end('The web UI is not built. Run `npm run build` (npm start and npm test do it when it is missing).\n');
    return;
  }
  const immutable = isAsset;
  response.writeHead(200, {
    'content-type': types[extname(file)] ?? 'application/octet-stream',
    'content-length': body.length,
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    ...securityHeaders,
  });
  response.end(request.method === 'HEAD' ? undefined : body);
}
