import type { SchemaDocument, SchemaTable } from './schema-document.js';

/**
 * The schema document as DDL in the database's dialect (for prompts): one CREATE TABLE or
 * CREATE VIEW per relation, identifiers quoted, NOT NULL where the engine says so, and
 * descriptions and row estimates as `--` comments. A view's columns are listed the same way,
 * since its defining query is not part of the catalog.
 */
export function schemaDdl(doc: SchemaDocument): string {
  const quote = doc.database.kind === 'mysql' ? backticks : doubleQuotes;
  const lines = [
    `-- database ${doc.database.name} (${doc.database.dialect})`,
    doc.syncedAt === null
      ? `-- the catalog of this database was never synced: run \`oxy sync ${doc.database.name}\``
      : `-- catalog synced at ${doc.syncedAt}`,
  ];
  for (const dataset of doc.datasets) {
    lines.push('', `-- dataset ${quote(dataset.name)}${comment(dataset.description)}`);
    // SQLite's only dataset is `main`: its tables are named without it.
    const prefix = doc.database.kind === 'sqlite' ? '' : `${quote(dataset.name)}.`;
    for (const table of dataset.tables) lines.push('', ...tableDdl(table, `${prefix}${quote(table.name)}`, quote));
  }
  return `${lines.join('\n')}\n`;
}

function tableDdl(table: SchemaTable, name: string, quote: (s: string) => string): string[] {
  const notes = [table.description, table.rowCount === null ? null : `about ${table.rowCount} rows`];
  const head = notes.filter((n) => n !== null && n !== '').map((n) => `-- ${oneLine(n!)}`);
  const columns = table.columns.map((c, i) => {
    const comma = i < table.columns.length - 1 ? ',' : '';
    return `  ${quote(c.name)} ${c.type}${c.nullable ? '' : ' NOT NULL'}${comma}${comment(c.description)}`;
  });
  return [...head, `CREATE ${table.kind === 'view' ? 'VIEW' : 'TABLE'} ${name} (`, ...columns, ');'];
}

function comment(description: string | null): string {
  return description ? ` -- ${oneLine(description)}` : '';
}

/** A description on one line, so it cannot end the comment and start SQL. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function doubleQuotes(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function backticks(name: string): string {
  return `\`${name.replace(/`/g, '``')}\``;
}
