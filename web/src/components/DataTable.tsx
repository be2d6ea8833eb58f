import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef } from 'react';

export interface TableColumn {
  name: string;
  type?: string;
}

const ROW_HEIGHT = 28;

function cell(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/**
 * A result grid: column headers stay put while rows scroll; only the rows in view are in the
 * page (virtualised), so 10,000 rows scroll as smoothly as 10.
 */
export function DataTable({
  columns,
  rows,
  label = 'Result',
  maxHeight = 420,
}: {
  columns: TableColumn[];
  rows: unknown[][];
  label?: string;
  maxHeight?: number;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  // eslint-disable-next-line react-hooks/incompatible-library -- the grid re-renders on scroll by design
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const items = virtualizer.getVirtualItems();
  const before = items[0]?.start ?? 0;
  const after = virtualizer.getTotalSize() - (items[items.length - 1]?.end ?? 0);
  return (
    <div className="data-table" ref={scroller} style={{ maxHeight }} tabIndex={0} aria-label={label} role="region">
      <table aria-rowcount={rows.length + 1}>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.name} scope="col" title={c.type}>
                {c.name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {before > 0 && (
            <tr aria-hidden="true" style={{ height: before }}>
              <td colSpan={columns.length} />
            </tr>
          )}
          {items.map((item) => {
            const row = rows[item.index] ?? [];
            return (
              <tr key={item.index} aria-rowindex={item.index + 2} style={{ height: ROW_HEIGHT }}>
                {columns.map((c, i) => (
                  <td key={c.name} className={row[i] === null ? 'null' : undefined}>
                    {cell(row[i])}
                  </td>
                ))}
              </tr>
            );
          })}
          {after > 0 && (
            <tr aria-hidden="true" style={{ height: after }}>
              <td colSpan={columns.length} />
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
