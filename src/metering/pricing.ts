import type { Price } from './price-table.ts';
import { priceTable } from './price-table.ts';
import type { Usage } from './usage.ts';

/** Which prices apply to a call, after `cost_basis` and `model_cost_map` (Aperture §3.3). */
export type PriceRef = { basis: string; model: string; price: Price; adjustment: number };

// Dated snapshots and aliases are priced as their family: claude-sonnet-4-5-20250929,
// gpt-4.1-2025-04-14, claude-sonnet-4-5@20250929 (Vertex), gemini-2.5-flash-preview-09-2025, *-latest.
const suffixes = [/-\d{8}$/, /@\d{8}$/, /-\d{4}-\d{2}-\d{2}$/, /-latest$/, /-preview-\d{2}-\d{4}$/, /-preview$/, /-\d{3}$/];

export function lookupPrice(basis: string, model: string): { model: string; price: Price } | undefined {
  const table = priceTable[basis];
  if (!table) return undefined;
  let name = model;
  for (let attempt = 0; attempt < 3; attempt++) {
    const price = table[name];
    if (price) return { model: name, price };
    const stripped = suffixes.reduce((current, pattern) => current.replace(pattern, ''), name);
    if (stripped === name) return undefined;
    name = stripped;
  }
  return undefined;
}

const perToken = 1 / 1_000_000;

/**
 * USD for one call, or undefined when input or output is unknown (unknown is never priced as 0).
 * Input is inclusive of cache reads and writes, which are priced at their own rates.
 */
export function costOf(usage: Usage, ref: PriceRef | undefined): number | undefined {
  if (!ref || usage.inputTokens === undefined) return undefined;
  const base = ref.price;
  const tier = base.above && usage.inputTokens > base.above.tokens ? { ...base, ...base.above } : base;
  const cacheRead = usage.cacheReadTokens ?? 0;
  const cacheWrite = usage.cacheWriteTokens ?? 0;
  const write1h = usage.cacheWrite1hTokens ?? 0;
  const write5m = usage.cacheWrite5mTokens ?? cacheWrite - write1h;
  const uncached = Math.max(0, usage.inputTokens - cacheRead - cacheWrite);
  const dollars =
    uncached * tier.input +
    cacheRead * (tier.cacheRead ?? tier.input) +
    write5m * (tier.cacheWrite ?? tier.input) +
    write1h * (tier.cacheWrite1h ?? tier.cacheWrite ?? tier.input) +
    (usage.outputTokens ?? 0) * tier.output;
  return dollars * perToken * ref.adjustment;
}
