import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeAccess } from '../../src/server/access-summary.js';
import { isLocalRequest, isLoopbackAddress } from '../../src/server/local-request.js';
import { loadConfig } from '../../src/config.js';
import { startServer } from '../../src/server/run-server.js';
import { BACKENDS, freshDatabase, tempDir, type TestDatabase } from '../support/backends.js';
import { testApp, type TestApp } from '../support/app.js';

// startServer logs at OXY_LOG_LEVEL (default info) to stderr.
process.env.OXY_LOG_LEVEL = 'warn';

describe('which requests count as local', () => {
  it('takes 127.0.0.0/8, ::1 and IPv4-mapped 127.x as loopback', () => {
    for (const address of ['127.0.0.1', '127.10.20.30', '::1', '::ffff:127.0.0.1', '0:0:0:0:0:0:0:1'])
      expect(isLoopbackAddress(address), address).toBe(true);
  });

  it('takes every other address, and junk, as not loopback', () => {
    for (const address of [
      '10.0.0.5',
      '192.168.1.2',
      '::ffff:10.0.0.5',
      'fe80::1',
      '0.0.0.0',
      '::',
      '128.0.0.1',
      '',
      undefined,
      'localhost',
      '127.0.0.1.evil',
    ]) {
      expect(isLoopbackAddress(address), String(address)).toBe(false);
    }
  });

  it('takes a loopback request forwarded by a proxy as not local', () => {
    expect(isLocalRequest('127.0.0.1', {})).toBe(true);
    for (const header of ['x-forwarded-for', 'forwarded', 'x-real-ip'])
      expect(isLocalRequest('127.0.0.1', { [header]: '203.0.113.9' }), header).toBe(false);
  });
});

describe('the start-up line about access', () => {
  it('says a loopback listener is reachable from this machine only', () => {
    expect(describeAccess('none', '127.0.0.1', false)).toBe(
      'auth: none (no sign-in, everyone acts as the local owner) — listening on 127.0.0.1: only this machine can connect',
    );
  });

  it('says OXY_AUTH=none on the network serves loopback only and names the fix', () => {
    expect(describeAccess('none', '0.0.0.0', false)).toMatch(
      /anyone on the network can connect, but only requests from this machine \(loopback\) are served; others get 401 \(set OXY_AUTH=password to serve them\)$/,
    );
  });

  it('warns loudly when the operator opted in to serve the network without sign-in', () => {
    expect(describeAccess('none', '0.0.0.0', true)).toMatch(
      /EVERYONE who can acts as the local owner without signing in$/,
    );
  });

  it('says OXY_AUTH=password asks everyone to sign in', () => {
    expect(describeAccess('password', '0.0.0.0', false)).toBe(
      'auth: password (sign in or API key for every request) — listening on 0.0.0.0: anyone on the network can connect',
    );
  });
});

for (const backend of BACKENDS) {
  describe(`OXY_AUTH=none serves loopback only (${backend})`, () => {
    let t: TestApp;
    let open: TestApp;

    beforeAll(async () => {
      t = await testApp(backend);
      open = await testApp(backend, { allowRemoteNoAuth: true });
    });
    afterAll(async () => {
      await t.close();
      await open.close();
    });

    it('acts as the local owner for a request over a real loopback socket', async () => {
      const url = await t.app.listen({ host: '127.0.0.1', port: 0 });
      const res = await fetch(`${url}/api/auth/me`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { email: string }).email).toBe('owner@localhost');
    });

    it('answers a request from another address with 401 and the setting to change', async () => {
      const res = await t.app.inject({ url: '/api/workspaces', remoteAddress: '192.168.1.20' });
      expect(res.statusCode).toBe(401);
      expect(res.json().error).toEqual({
        code: 'unauthenticated',
        message:
          'this oxy runs OXY_AUTH=none, which serves only requests from its own machine; set OXY_AUTH=password on the server to sign in from elsewhere',
      });
    });

    it('refuses a loopback request that a proxy forwarded', async () => {
      const res = await t.app.inject({ url: '/api/workspaces', headers: { 'x-forwarded-for': '203.0.113.9' } });
      expect(res.statusCode).toBe(401);
    });

    it('still answers health checks from another address', async () => {
      expect((await t.app.inject({ url: '/api/health', remoteAddress: '192.168.1.20' })).statusCode).toBe(200);
    });

    it('serves another address when the operator opted in explicitly', async () => {
      expect((await open.app.inject({ url: '/api/workspaces', remoteAddress: '192.168.1.20' })).statusCode).toBe(200);
    });
  });

  describe(`oxy serve's opt-in to serve the network without sign-in (${backend})`, () => {
    let db: TestDatabase;
    const serveAndAsk = async (env: Record<string, string>, allowRemoteNoAuth: boolean) => {
      const config = loadConfig({ OXY_STATE_DIR: tempDir(), OXY_DATABASE_URL: db.url, ...env });
      const server = await startServer(
        config,
        { port: 0, host: '127.0.0.1', readonly: false, http2Only: false, allowRemoteNoAuth },
        { log: () => undefined, logStream: process.stderr },
      );
      try {
        return (await server.app.inject({ url: '/api/workspaces', remoteAddress: '192.168.1.20' })).statusCode;
      } finally {
        await server.close();
      }
    };
    beforeAll(async () => {
      db = await freshDatabase(backend);
    });
    afterAll(async () => {
      await db.cleanup();
    });

    it('keeps the network out by default', async () => {
      expect(await serveAndAsk({}, false)).toBe(401);
    });

    it('lets the network in with --allow-remote-no-auth', async () => {
      expect(await serveAndAsk({}, true)).toBe(200);
    });

    it('lets the network in with OXY_ALLOW_REMOTE_NO_AUTH=1', async () => {
      expect(await serveAndAsk({ OXY_ALLOW_REMOTE_NO_AUTH: '1' }, false)).toBe(200);
    });
  });
}
