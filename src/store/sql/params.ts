import type { SqlValue } from './executor.ts';

/** Collects bound values for one statement and hands out their `$n` placeholders. */
export class Params {
  readonly values: SqlValue[] = [];

  bind(value: SqlValue): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }

  /** `column = $n`, or nothing when the filter is not set. */
  equals(column: string, value: string | undefined): string[] {
    return value === undefined ? [] : [`${column} = ${this.bind(value)}`];
  }
}

export function where(terms: readonly string[]): string {
  return terms.length === 0 ? '' : `WHERE ${terms.join(' AND ')}`;
}
