import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../support/backends.js';
import { testApp, type TestApp } from '../support/app.js';

const LIMITS = { perAddress: { max: 3, windowMs: 60_000 }, perAccount: { max: 2, windowMs: 60_000 } };

for (const backend of BACKENDS) {
  describe(`sign-in rate limits (${backend})`, () => {
    let t: TestApp;
    const login = (email: string, remoteAddress: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        remoteAddress,
        payload: { email, password: 'wrong password' },
      });

    beforeAll(async () => {
      t = await testApp(backend, { env: { OXY_AUTH: 'password' }, signInLimits: LIMITS });
    });
    afterAll(async () => {
      await t.close();
    });

    it('answers 429 with Retry-After once one address has tried too often, whatever the accounts', async () => {
      for (let i = 0; i < 3; i++) expect((await login(`a${i}@example.com`, '10.0.0.1')).statusCode).toBe(401);
      const limited = await login('a9@example.com', '10.0.0.1');
      expect(limited.statusCode).toBe(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(limited.json().error).toMatchObject({
        code: 'rate_limited',
        message: expect.stringMatching(/^too many sign-in attempts from this address; try again in \d+ seconds$/),
      });
    });

    it('limits each address on its own', async () => {
      expect((await login('b@example.com', '10.0.0.2')).statusCode).toBe(401);
    });

    it('answers 429 once one account was tried too often, from any addresses', async () => {
      expect((await login('target@example.com', '10.0.1.1')).statusCode).toBe(401);
      expect((await login('Target@Example.com', '10.0.1.2')).statusCode).toBe(401);
      const limited = await login('target@example.com', '10.0.1.3');
      expect(limited.statusCode).toBe(429);
      expect(limited.json().error.message).toMatch(
        /^too many sign-in attempts for this account; try again in \d+ seconds$/,
      );
    });

    it('documents 429 for sign-in in the OpenAPI document', async () => {
      const spec = (await t.app.inject({ url: '/api/openapi.json' })).json();
      expect(Object.keys(spec.paths['/api/auth/login'].post.responses)).toContain('429');
    });
  });
}
