import { Worker } from 'node:worker_threads';
import type { FoundPrice } from './price-table.ts';

export type PriceKey = { basis: string; model: string };
/** The price of `model` under `basis`, if the price database knows it. */
export type PriceLookup = (basis: string, model: string) => FoundPrice | undefined;

const keyOf = (basis: string, model: string) => `${basis}\u0000${model}`;
/** Every price looked up so far (a few hundred bytes per model): a reload that adds no model starts no thread. */
const known = new Map<string, FoundPrice | undefined>();

/**
 * The prices of `keys`, looked up in a thread that exits once it answered. The price database is one
 * 1.6 MB module of object literals; loaded in the gateway's main thread it stayed there for good, for a
 * lookup made once per model at config load: the main thread's heap at idle was 21.5 MB with it and is
 * 15 MB without, and the idle gateway 104 MB against 97 MB (once V8 has released the thread's pages,
 * some 15 s after start). The thread takes about 90 ms.
 */
export async function resolvePrices(keys: readonly PriceKey[]): Promise<PriceLookup> {
  const missing = new Map<string, PriceKey>();
  for (const key of keys) {
    const id = keyOf(key.basis, key.model);
    if (!known.has(id)) missing.set(id, key);
  }
  if (missing.size > 0) {
    const found = await new Promise<(FoundPrice | undefined)[]>((resolve, reject) => {
      const worker = new Worker(new URL('./price-worker.ts', import.meta.url), { workerData: [...missing.values()] });
      worker.once('message', resolve).once('error', reject).once('exit', (code) => reject(new Error(`the price lookup thread exited with code ${code}`)));
    });
    [...missing.keys()].forEach((id, index) => known.set(id, found[index]));
  }
  return (basis, model) => known.get(keyOf(basis, model));
}
