import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../support/backends.js';
import { testApp, type TestApp } from '../support/app.js';

const CSP =
  "default-src 'self';script-src 'self';style-src 'self';img-src 'self' data:;font-src 'self';connect-src 'self';object-src 'none';base-uri 'self';form-action 'self';frame-ancestors 'none'";

for (const backend of BACKENDS) {
  describe(`security headers (${backend})`, () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await testApp(backend, { env: { OXY_AUTH: 'password' } });
    });
    afterAll(async () => {
      await t.close();
    });

    it('sends a Content-Security-Policy for a same-origin single-page app: no inline script, data: images, never framed', async () => {
      const res = await t.app.inject({ url: '/api/health' });
      expect(res.headers['content-security-policy']).toBe(CSP);
    });

    it("sends helmet's other headers (no MIME sniffing, no framing, no referrer across origins)", async () => {
      const res = await t.app.inject({ url: '/api/health' });
      expect(res.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'SAMEORIGIN',
        'referrer-policy': 'no-referrer',
      });
    });

    it('sends them on refusals too', async () => {
      const res = await t.app.inject({ url: '/api/workspaces' });
      expect(res.statusCode).toBe(401);
      expect(res.headers['content-security-policy']).toBe(CSP);
    });
  });
}
