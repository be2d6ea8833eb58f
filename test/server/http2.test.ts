import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startServer, type RunningServer } from '../../src/server/run-server.js';
import { freshDatabase, tempDir, type TestDatabase } from '../support/backends.js';
import { selfSignedCert } from '../support/tls-cert.js';

// The transport does not depend on the backend, so these run on SQLite only.

function h2Get(
  origin: string,
  url: string,
  options: http2.SecureClientSessionOptions = {},
): Promise<{ status: number; body: string; alpn: string | false | undefined }> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(origin, options);
    session.on('error', reject);
    const req = session.request({ ':path': url });
    let body = '';
    let status = 0;
    req.on('response', (headers) => (status = Number(headers[':status'])));
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const alpn = session.alpnProtocol;
      session.close();
      resolve({ status, body, alpn });
    });
    req.on('error', reject);
    req.end();
  });
}

function http1Get(url: string, options: https.RequestOptions = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const lib = url.startsWith('https') ? https : http;
    const req = lib.get(url, { ...options, timeout: 3000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

async function serve(options: { tls?: boolean }, db: TestDatabase): Promise<RunningServer> {
  const dir = tempDir();
  const config = loadConfig({ OXY_STATE_DIR: dir, OXY_DATABASE_URL: db.url, OXY_LOG_LEVEL: 'silent' });
  const tls = options.tls ? selfSignedCert(path.join(dir, 'c.pem'), path.join(dir, 'k.pem')) : {};
  return startServer(
    config,
    { port: 0, host: '127.0.0.1', readonly: false, http2Only: true, ...tls },
    { log: () => undefined, logStream: process.stderr },
  );
}

describe('--http2-only', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await freshDatabase('sqlite');
  });
  afterAll(async () => {
    await db.cleanup();
  });

  it('without TLS serves cleartext HTTP/2 (prior knowledge) and refuses HTTP/1.1', async () => {
    const server = await serve({}, db);
    try {
      const { port } = server.app.server.address() as { port: number };
      const res = await h2Get(`http://127.0.0.1:${port}`, '/api/health');
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body)).toMatchObject({ status: 'ok', database: { backend: 'sqlite' } });
      await expect(http1Get(`http://127.0.0.1:${port}/api/health`)).rejects.toThrow();
    } finally {
      await server.close();
    }
  });

  it('with TLS offers h2 alone over ALPN and refuses HTTP/1.1', async () => {
    const server = await serve({ tls: true }, db);
    try {
      const { port } = server.app.server.address() as { port: number };
      const res = await h2Get(`https://localhost:${port}`, '/api/live', { rejectUnauthorized: false });
      expect(res.status).toBe(200);
      expect(res.alpn).toBe('h2');
      await expect(
        http1Get(`https://localhost:${port}/api/live`, {
          rejectUnauthorized: false,
          ALPNProtocols: ['http/1.1'],
        } as https.RequestOptions),
      ).rejects.toThrow();
    } finally {
      await server.close();
    }
  });
});
