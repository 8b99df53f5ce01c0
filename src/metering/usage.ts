/**
 * Token counts as the provider reported them, normalised across dialects.
 * `undefined` means "not reported" and is never treated as 0 (providers.md §0).
 */
export type Usage = {
  /** All input tokens, inclusive of cache reads and cache writes. */
  inputTokens?: number;
  /** All output tokens, inclusive of reasoning/thinking tokens. */
  outputTokens?: number;
  cacheReadTokens?: number;
  /** Total cache writes; the TTL split below when the wire gives it. */
  cacheWriteTokens?: number;
  cacheWrite5mTokens?: number;
  cacheWrite1hTokens?: number;
  reasoningTokens?: number;
};

export type UsageKey = keyof Usage;

/** A number when the value is a finite non-negative number, else undefined. */
export function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** Sum of the reported parts; undefined when the first part is unknown. */
export function sum(first: number | undefined, ...rest: (number | undefined)[]): number | undefined {
  if (first === undefined) return undefined;
  let total = first;
  for (const part of rest) total += part ?? 0;
  return total;
}

/** Usage reports are cumulative snapshots: a later defined value replaces an earlier one. */
export function mergeUsage(known: Usage, report: Usage): Usage {
  const merged: Usage = { ...known };
  for (const key of Object.keys(report) as UsageKey[]) {
    const value = report[key];
    if (value !== undefined) merged[key] = value;
  }
  return merged;
}

/** Drops undefined fields so records and JSON show only what was reported. */
export function definedUsage(usage: Usage): Usage {
  return mergeUsage({}, usage);
}
