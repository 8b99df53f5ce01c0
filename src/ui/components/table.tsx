import type { ComponentChildren } from 'preact';
import { useMemo, useState } from 'preact/hooks';

export type Column<T> = {
  key: string;
  label: string;
  value?: (row: T) => number | string | undefined;
  render?: (row: T) => ComponentChildren;
  numeric?: boolean;
  sortable?: boolean;
};

/** A sortable, paginated table. Sorting buttons live in the headers and announce their order (aria-sort). */
export function DataTable<T>(props: {
  caption: string;
  columns: Column<T>[];
  rows: T[];
  rowKey: (row: T) => string;
  pageSize?: number;
  initialSort?: { key: string; dir: 'asc' | 'desc' };
  testId?: string;
  footer?: ComponentChildren;
}) {
  const [sort, setSort] = useState(props.initialSort);
  const [page, setPage] = useState(0);
  const pageSize = props.pageSize ?? 25;
  const sorted = useMemo(() => {
    if (!sort) return props.rows;
    const column = props.columns.find((c) => c.key === sort.key);
    if (!column?.value) return props.rows;
    const value = column.value;
    return [...props.rows].sort((a, b) => {
      const x = value(a);
      const y = value(b);
      const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x ?? '').localeCompare(String(y ?? ''));
      return sort.dir === 'asc' ? order : -order;
    });
  }, [props.rows, sort, props.columns]);
  const pages = Math.max(1, Math.ceil(sorted.length / pageSize));
  const current = Math.min(page, pages - 1);
  const shown = sorted.slice(current * pageSize, (current + 1) * pageSize);
  const toggle = (key: string) => {
    setSort((previous) => (previous?.key === key ? { key, dir: previous.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: 'desc' }));
    setPage(0);
  };
  return (
    <div class="table-wrap" data-testid={props.testId}>
      <table>
        <caption class="visually-hidden">{props.caption}</caption>
        <thead>
          <tr>
            {props.columns.map((column) => {
              const active = sort?.key === column.key;
              const ariaSort = active ? (sort!.dir === 'asc' ? 'ascending' : 'descending') : undefined;
              return (
                <th scope="col" class={column.numeric ? 'num' : ''} aria-sort={ariaSort} key={column.key}>
                  {column.sortable !== false && column.value ? (
                    <button type="button" class="sort" onClick={() => toggle(column.key)}>
                      {column.label}
                      <span aria-hidden="true" class="sort-mark">
                        {active ? (sort!.dir === 'asc' ? '▲' : '▼') : '↕'}
                      </span>
                    </button>
                  ) : (
                    column.label
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {shown.map((row) => (
            <tr key={props.rowKey(row)}>
              {props.columns.map((column, index) => {
                const content = column.render ? column.render(row) : (column.value?.(row) ?? '—');
                return index === 0 ? (
                  <th scope="row" class={column.numeric ? 'num' : ''} key={column.key}>
                    {content}
                  </th>
                ) : (
                  <td class={column.numeric ? 'num' : ''} key={column.key}>
                    {content}
                  </td>
                );
              })}
            </tr>
          ))}
          {shown.length === 0 && (
            <tr>
              <td colSpan={props.columns.length} class="empty">
                No rows.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {(pages > 1 || props.footer) && (
        <nav class="pager" aria-label={`${props.caption} pages`}>
          {pages > 1 && (
            <>
              <button type="button" class="button small" disabled={current === 0} onClick={() => setPage(current - 1)}>
                Previous
              </button>
              <span aria-live="polite">
                Page {current + 1} of {pages} ({sorted.length} rows)
              </span>
              <button type="button" class="button small" disabled={current >= pages - 1} onClick={() => setPage(current + 1)}>
                Next
              </button>
            </>
          )}
          {props.footer}
        </nav>
      )}
    </div>
  );
}
