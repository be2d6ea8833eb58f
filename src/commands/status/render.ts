import type { ContainerFacts, ContainerRuntimeFacts, DatabaseFacts, EmbeddedFacts, StatusReport } from './facts.js';

type Rows = [string, string][];
type Section = [title: string, rows: Rows];

/** ANSI styles, or plain text when `colour` is off (NO_COLOR, or not a terminal). */
function palette(colour: boolean) {
  const paint = (code: number, text: string) => (colour ? `\u001b[${code}m${text}\u001b[0m` : text);
  return {
    bold: (text: string) => paint(1, text),
    good: (text: string) => paint(32, text),
    bad: (text: string) => paint(31, text),
  };
}
type Palette = ReturnType<typeof palette>;

/**
 * The human form of the report: titled sections of aligned `Label: value` lines, then the advice.
 * `colour` is the caller's to decide (a terminal, and NO_COLOR unset).
 */
export function renderStatus(r: StatusReport, options: { colour: boolean }): string {
  const p = palette(options.colour);
  const sections: Section[] = [
    ['Docker Daemon', runtimeRows(r.containerRuntime, p)],
    ['PostgreSQL Container', containerRows(r.container, p)],
    ['Embedded PostgreSQL', embeddedRows(r.embedded, p)],
    ['Database Connection', databaseRows(r.database, p)],
    ...(r.localPostgres ? ([['Local PostgreSQL (oxy start)', databaseRows(r.localPostgres, p)]] as Section[]) : []),
  ];
  const width = Math.max(...sections.flatMap(([, rows]) => rows.map(([label]) => label.length))) + 1;
  const out: string[] = [];
  for (const [title, rows] of sections) {
    out.push(p.bold(title));
    for (const [label, value] of rows) out.push(`  ${`${label}:`.padEnd(width + 1)} ${value}`);
    out.push('');
  }
  out.push(p.bold('Useful Commands'), ...r.commands.map((c) => `  ${c}`));
  return out.join('\n');
}

function runtimeRows(runtime: ContainerRuntimeFacts, { good, bad }: Palette): Rows {
  return [
    ['CLI', runtime.found ? `${runtime.cli} (found)` : bad(`${runtime.cli} not found`)],
    [
      'Daemon',
      runtime.daemonRunning ? good(`running (server ${runtime.serverVersion})`) : bad(runtime.error ?? 'not running'),
    ],
    ...(runtime.hint ? ([['Fix', runtime.hint]] as Rows) : []),
  ];
}

function containerRows(container: ContainerFacts, { good }: Palette): Rows {
  return [
    ['Name', container.name],
    ['Status', container.status === 'running' ? good('running') : container.status],
    ['Image', container.image],
    ['Port', `${container.port} -> 5432`],
    [
      'Volume',
      `${container.volume}${container.volumeExists === undefined ? '' : container.volumeExists ? ' (exists)' : ' (not created)'}`,
    ],
  ];
}

function embeddedRows(embedded: EmbeddedFacts, { good }: Palette): Rows {
  return [
    ['Data', `${embedded.dataDir}${embedded.present ? '' : ' (not created)'}`],
    ['Status', embedded.running ? good(`running on 127.0.0.1:${embedded.port}`) : 'not running'],
  ];
}

function databaseRows(db: DatabaseFacts, { good, bad }: Palette): Rows {
  return [
    ['Backend', db.backend],
    ['URL', db.url],
    ...(db.file
      ? ([
          [
            'File',
            `${db.file.path}${db.file.sizeBytes === undefined ? '' : ` (${(db.file.sizeBytes / 1024).toFixed(0)} KiB)`}`,
          ],
        ] as Rows)
      : []),
    ['Reachable', db.reachable ? good('yes') : bad(`no — ${db.error ?? 'no answer'}`)],
    ...(db.reachable
      ? ([
          ['Server', db.serverVersion ?? ''],
          ['Schema version', `${db.schemaVersion} of ${db.latestSchemaVersion}`],
          ['Pending migrations', db.pendingMigrations?.length ? db.pendingMigrations.join(', ') : 'none'],
          ...(db.jobs
            ? ([
                [
                  'Jobs',
                  `${db.jobs.queued} queued, ${db.jobs.running} running, ${db.jobs.failed} failed; ${db.jobs.workers} workers holding leases`,
                ],
              ] as Rows)
            : []),
        ] as Rows)
      : []),
  ];
}
