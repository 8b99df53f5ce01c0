// A short-lived thread that looks prices up in @pydantic/genai-prices and exits (price-lookup.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { findModelPrice } from './price-table.ts';
import type { PriceKey } from './price-lookup.ts';

parentPort!.postMessage((workerData as PriceKey[]).map(({ basis, model }) => findModelPrice(basis, model)));
