import type { Dialect } from './dialect.ts';
import type { SqlValue } from './executor.ts';

/** `($1, $2), ($3, $4)` for `rows` rows of `columns` placeholders. */
export function placeholders(rows: number, columns: number): string {
  const tuples: string[] = [];
  for (let row = 0; row < rows; row++) {
    const cells: string[] = [];
    for (let column = 1; column <= columns; column++) cells.push(`$${row * columns + column}`);
    tuples.push(`(${cells.join(', ')})`);
  }
  return tuples.join(', ');
}

export type Statement = { sql: string; params: SqlValue[]; reuse: boolean };

/**
 * Multi-row `INSERT … VALUES` statements for `items`, chunked the dialect's way (dialect.ts `chunkRows`):
 * chunks of a recurring size come with `reuse` so the driver keeps their statement prepared.
 * `build(valuesSql)` wraps the VALUES list in the statement (ON CONFLICT, RETURNING); `maxRows` caps a
 * chunk (rows carrying large blobs).
 */
export function* chunkedValues<T>(
  dialect: Dialect,
  items: readonly T[],
  columns: number,
  toValues: (item: T) => SqlValue[],
  build: (values: string) => string,
  maxRows = Infinity,
): Generator<Statement> {
  const largest = Math.max(1, Math.min(maxRows, Math.floor(dialect.maxParams / columns), dialect.chunkRows[0]!));
  const sizes = [largest, ...dialect.chunkRows.filter((n) => n < largest)];
  for (let start = 0; start < items.length; ) {
    const left = items.length - start;
    // A remainder smaller than every fixed size goes as one statement of its own (PostgreSQL), not prepared.
    const size = sizes.find((n) => n <= left) ?? left;
    const slice = items.slice(start, start + size);
    start += size;
    const params: SqlValue[] = [];
    for (const item of slice) params.push(...toValues(item));
    yield { sql: build(placeholders(slice.length, columns)), params, reuse: sizes.includes(size) };
  }
}
