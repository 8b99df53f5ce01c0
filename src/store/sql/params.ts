import { ANY_ERROR } from '../read-models.ts';
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

/**
 * The calls' `outcome` filter: one outcome, or ANY_ERROR (every outcome but ok). `outcome <> 'ok'` is
 * spelled out literally whenever it holds, so both planners see that the partial index of failed calls
 * (calls_failed) applies.
 */
export function outcomeTerms(params: Params, outcome: string | undefined): string[] {
  if (outcome === undefined) return [];
  if (outcome === 'ok') return params.equals('outcome', outcome);
  if (outcome !== ANY_ERROR) return [...params.equals('outcome', outcome), `outcome <> 'ok'`];
  return [`outcome <> 'ok'`];
}

export function where(terms: readonly string[]): string {
  return terms.length === 0 ? '' : `WHERE ${terms.join(' AND ')}`;
}
