// A fresh, empty database on each backend for one test. PostgreSQL gets its own schema (dropped
// afterwards), so test files running in parallel never see each other's rows.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openStore } from '../open-store.ts';
import type { Store } from '../store.ts';

export const POSTGRES_TEST_URL = process.env.TAILGATE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A storage URL for an empty database, and how to throw it away. */
export type Scratch = { url: string; dispose(): Promise<void> };
export type Backend = { name: 'sqlite' | 'postgres'; scratch(): Promise<Scratch> };

const sqlite: Backend = {
  name: 'sqlite',
  async scratch() {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tailgate-store-'));
    return { url: `sqlite:${path.join(dir, 'test.db')}`, dispose: async () => rmSync(dir, { recursive: true, force: true }) };
  },
};

const postgres: Backend = {
  name: 'postgres',
  async scratch() {
    const admin = new pg.Client({ connectionString: POSTGRES_TEST_URL, connectionTimeoutMillis: 5000 });
    try {
      await admin.connect();
    } catch (error) {
      // CI always runs PostgreSQL (.ci/run starts it): a store test that cannot reach it fails, it never skips.
      const where = new URL(POSTGRES_TEST_URL).host;
      throw new Error(`PostgreSQL is not reachable at ${where} (${(error as Error).message}). The store tests run against it; start it or set TAILGATE_TEST_POSTGRES_URL.`);
    }
    const schema = `tg_${randomBytes(6).toString('hex')}`;
    await admin.query(`CREATE SCHEMA ${schema}`);
    const url = new URL(POSTGRES_TEST_URL);
    url.searchParams.set('options', `-c search_path=${schema}`);
    return {
      url: url.toString(),
      dispose: async () => {
        await admin.query(`DROP SCHEMA ${schema} CASCADE`);
        await admin.end();
      },
    };
  },
};

export const BACKENDS: readonly Backend[] = [sqlite, postgres];

export async function withStore(backend: Backend, fn: (store: Store) => Promise<void>): Promise<void> {
  const scratch = await backend.scratch();
  try {
    const store = await openStore(scratch.url, { migrate: true, poolSize: 4 });
    try {
      await fn(store);
    } finally {
      await store.close();
    }
  } finally {
    await scratch.dispose();
  }
}
