import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { apiTypesSource } from '../../scripts/api-types.js';

describe('the web app’s API types', () => {
  it('are generated from the server’s current OpenAPI document (run npm run api-types after changing a route)', async () => {
    const committed = fs.readFileSync(new URL('../../web/src/api/openapi.d.ts', import.meta.url), 'utf8');
    expect(committed === (await apiTypesSource()), 'web/src/api/openapi.d.ts is stale: run npm run api-types').toBe(
      true,
    );
  });
});
