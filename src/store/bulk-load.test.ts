// The seeding script's bulk path must leave exactly the rollups and sessions `insertCalls` would.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BulkLoader } from './bulk-load.ts';
import { migrate } from './migrations.ts';
import { openExecutor } from './open-executor.ts';
import { SqlStore } from './sql-store.ts';
import type { Executor, Row } from './sql/executor.ts';
import { BACKENDS } from './testing/backends.ts';
import { varied } from './testing/records.ts';

const TABLES: Record<string, string> = {
  rollups_hourly: 'bucket, login, agent, model, provider',
  rollups_daily: 'bucket, login, agent, model, provider',
  failed_rollups_hourly: 'bucket, login, agent, model, provider, outcome',
  failed_rollups_daily: 'bucket, login, agent, model, provider, outcome',
  sessions: 'session_id, login',
  session_models: 'session_id, login, model, provider',
  calls: 'id',
  tool_calls: 'call_id, position',
  captures: 'call_id',
};

/** Rows with costs rounded: sums added in another order differ in the last bits of a double. */
async function dump(db: Executor, table: string): Promise<Row[]> {
  const rows = await db.query(`SELECT * FROM ${table} ORDER BY ${TABLES[table]}`);
  return rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, k.endsWith('cost_usd') && typeof v === 'number' ? Math.round(v * 1e9) : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v])));
}

for (const backend of BACKENDS) {
  test(`bulk loading equals insertCalls on ${backend.name}`, async () => {
    const calls = varied(3000, { seed: 11, days: 4 });
    const [bulkScratch, liveScratch] = [await backend.scratch(), await backend.scratch()];
    const bulk = openExecutor(bulkScratch.url);
    const live = openExecutor(liveScratch.url);
    try {
      await migrate(bulk);
      await migrate(live);
      const loader = new BulkLoader(bulk);
      await Promise.all([loader.load(calls.slice(0, 1700)), loader.load(calls.slice(1700))]);
      await loader.finish();
      const store = new SqlStore(live);
      for (let i = 0; i < calls.length; i += 500) await store.insertCalls(calls.slice(i, i + 500));
      for (const table of Object.keys(TABLES)) {
        const rows = await dump(bulk, table);
        assert.ok(rows.length > 0, table);
        assert.deepStrictEqual(rows, await dump(live, table), table);
      }
    } finally {
      await bulk.close();
      await live.close();
      await bulkScratch.dispose();
      await liveScratch.dispose();
    }
  });
}
