import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import compress from '@fastify/compress';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * Where `npm run build` puts the web app (vite's outDir): `dist/web` of this package, found from
 * this module whether it runs compiled (dist/server) or from source (src/server, in tests).
 */
export function defaultWebRoot(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'web');
}

/** Hashed file names (vite's `assets/name-HASH.js`) never change content: cache them for a year. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * Serves the built web app from the same origin as the API: files from `root`, `index.html` for
 * any other GET that asks for a page (the app routes in the browser), and a clear 404 naming the
 * fix when the app was not built. Unknown `/api/*` paths and missing files stay 404s.
 */
export async function installWebApp(app: FastifyInstance, root: string): Promise<void> {
  // Its own plugin context, so compression applies to the app's files only: never to the API's
  // streams (SSE must reach the browser as it is written, not when a compressor's buffer fills).
  await app.register(async (web) => serveFiles(web, root));
}

async function serveFiles(app: FastifyInstance, root: string): Promise<void> {
  await app.register(compress, { encodings: ['br', 'gzip'] });
  const index = path.join(root, 'index.html');
  const built = fs.existsSync(index);
  if (built) {
    await app.register(fastifyStatic, {
      root,
      // One route below serves files and pages: routes of its own would declare no permission.
      serve: false,
      index: false,
      cacheControl: false,
      setHeaders(reply, file) {
        const underAssets = path.relative(path.join(root, 'assets'), file);
        const hashed = !underAssets.startsWith('..') && !path.isAbsolute(underAssets);
        reply.header('cache-control', hashed ? IMMUTABLE : 'no-cache');
      },
    });
  }
  const pageRoute = { config: { permission: { public: true } }, schema: { hide: true } } as const;
  // Every other GET: the app's page, which routes in the browser (/threads/…, /sql). Files and
  // /api paths that do not exist stay 404s in the API's envelope.
  app.get('/*', pageRoute, async (request: FastifyRequest, reply: FastifyReply) => {
    const url = request.url.split('?')[0] ?? '/';
    if (url === '/api' || url.startsWith('/api/') || (!built && path.extname(url)))
      return reply.status(404).send({ error: { code: 'not_found', message: `no route GET ${url}` } });
    // A file (send refuses paths outside root and answers a missing one with the 404 handler).
    if (path.extname(url)) return reply.sendFile((request.params as { '*': string })['*']);
    if (!built)
      return reply.status(404).send({
        error: { code: 'web_app_not_built', message: `the web app is not built (no ${index}): run npm run build` },
      });
    // The page itself is never cached, so a new build is picked up on the next visit.
    return reply.header('cache-control', 'no-cache').sendFile('index.html');
  });
}
