import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from '../support/run-cli.js';

// No Docker engine can build or run these here; parse and check them instead.

describe('docker-compose.yml', () => {
  const compose = parse(fs.readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8')) as any;

  it('runs PostgreSQL 18 with a health check and a named volume at the PostgreSQL 18 image layout', () => {
    const pg = compose.services.postgres;
    expect(pg.image).toBe('postgres:18-alpine');
    expect(pg.environment.PGDATA).toBe('/var/lib/postgresql/18/docker');
    expect(pg.volumes).toEqual(['oxy-postgres-data:/var/lib/postgresql']);
    expect(pg.healthcheck.test.join(' ')).toMatch(/pg_isready -h 127\.0\.0\.1 -U oxy -d oxy/);
    expect(Object.keys(compose.volumes)).toContain('oxy-postgres-data');
  });

  it('starts oxy only once PostgreSQL is healthy, pointed at it, with secrets from the environment', () => {
    const oxy = compose.services.oxy;
    expect(oxy.depends_on.postgres.condition).toBe('service_healthy');
    expect(oxy.environment.OXY_DATABASE_URL).toBe('postgresql://oxy:${OXY_POSTGRES_PASSWORD}@postgres:5432/oxy');
    expect(oxy.environment.OXY_ENCRYPTION_KEY).toMatch(/^\$\{OXY_ENCRYPTION_KEY:\?/);
    expect(JSON.stringify(compose)).not.toMatch(/POSTGRES_PASSWORD: postgres/);
    expect(oxy.build).toBe('.');
  });
});

describe('Dockerfile', () => {
  const lines = fs
    .readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('#'));
  const instructions = lines.map((l) => l.split(/\s+/)[0]!);

  it('uses only Dockerfile instructions, builds in a stage and runs unprivileged', () => {
    const known = new Set([
      'FROM',
      'WORKDIR',
      'RUN',
      'COPY',
      'ENV',
      'USER',
      'EXPOSE',
      'HEALTHCHECK',
      'ENTRYPOINT',
      'CMD',
      'ARG',
      'LABEL',
    ]);
    expect(instructions.filter((i) => !known.has(i))).toEqual([]);
    expect(instructions.filter((i) => i === 'FROM')).toHaveLength(2);
    expect(lines.find((l) => l.startsWith('FROM'))).toMatch(/^FROM node:2[2-4]/);
    expect(lines).toContain('USER node');
    expect(JSON.parse(lines.find((l) => l.startsWith('ENTRYPOINT'))!.slice('ENTRYPOINT'.length))).toEqual([
      'node',
      'bin/oxy.js',
    ]);
    expect(JSON.parse(lines.find((l) => l.startsWith('CMD'))!.slice('CMD'.length))).toEqual([
      'serve',
      '--port',
      '3000',
      '--host',
      '0.0.0.0',
    ]);
  });

  it('keeps the .env with the secrets, and local data, out of the build context', () => {
    const ignored = fs.readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split('\n');
    for (const entry of ['.env', 'node_modules', '*.sqlite', '*.dump']) expect(ignored, entry).toContain(entry);
  });

  it('copies every file the build needs', () => {
    for (const file of ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'src', 'bin']) {
      expect(fs.existsSync(path.join(ROOT, file)), file).toBe(true);
      expect(
        lines.some((l) => l.startsWith('COPY') && l.split(/\s+/).includes(file)),
        file,
      ).toBe(true);
    }
  });
});
