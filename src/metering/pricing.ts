import type { ModelPrice } from './price-table.ts';
import type { Usage } from './usage.ts';

/** Which prices apply to a call, after `cost_basis` and `model_cost_map` (Aperture §3.3). */
export type PriceRef = { basis: string; model: string; price: ModelPrice; adjustment: number };

/** USD per million tokens for one price key at this call's size: a tier applies to the whole call once the input exceeds its start. */
function perMillion(price: ModelPrice, key: string, inputTokens: number): number | undefined {
  const value = price[key];
  if (value === undefined || typeof value === 'number') return value;
  let rate = value.base;
  for (const tier of value.tiers) if (inputTokens > tier.start) rate = tier.price;
  return rate;
}

/**
 * USD for one call, or undefined when the input is unknown (unknown is never priced as 0). Input is
 * inclusive of cache reads and writes, each priced at its own rate; reasoning is part of output.
 */
export function costOf(usage: Usage, ref: PriceRef | undefined): number | undefined {
  if (!ref || usage.inputTokens === undefined) return undefined;
  const input = usage.inputTokens;
  const rate = (key: string) => perMillion(ref.price, key, input);
  const inputRate = rate('input_mtok') ?? 0;
  const cacheRead = usage.cacheReadTokens ?? 0;
  const cacheWrite = usage.cacheWriteTokens ?? 0;
  const write1h = usage.cacheWrite1hTokens ?? 0;
  const write5m = usage.cacheWrite5mTokens ?? cacheWrite - write1h;
  const uncached = Math.max(0, input - cacheRead - cacheWrite);
  const writeRate = rate('cache_write_mtok') ?? inputRate;
  const dollars =
    uncached * inputRate +
    cacheRead * (rate('cache_read_mtok') ?? inputRate) +
    write5m * writeRate +
    write1h * (rate('cache_write_1h_mtok') ?? writeRate) +
    (usage.outputTokens ?? 0) * (rate('output_mtok') ?? 0);
  return (dollars / 1_000_000) * ref.adjustment;
}
