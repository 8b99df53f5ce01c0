// Where the store benchmarks write, and how to wipe it. Seeds stay out of the repository: the SQLite
// file under tailgate-data/ (gitignored), PostgreSQL in its own schema of the local test database.
import { rmSync, statSync } from 'node:fs';
import pg from 'pg';
import { isPostgresUrl, sqlitePath } from '../../src/store/storage-url.ts';

export const DEFAULT_SQLITE_SEED = 'sqlite:tailgate-data/bench/seed.db';
export const DEFAULT_POSTGRES_SEED = 'postgres://postgres@127.0.0.1:5432/test?options=-c%20search_path%3Dtailgate_bench';

/** The schema a PostgreSQL URL's `options=-c search_path=…` selects. */
export function schemaOf(url: string): string {
  const match = /search_path=([A-Za-z_][A-Za-z0-9_]*)/.exec(new URL(url).searchParams.get('options') ?? '');
  if (!match) throw new Error('a PostgreSQL benchmark URL must pick its own schema: ?options=-c search_path=NAME');
  return match[1]!;
}

/** Empties the target: deletes the SQLite file, or drops and recreates the PostgreSQL schema. */
export async function wipe(url: string): Promise<void> {
  const file = sqlitePath(url);
  if (file !== undefined) {
    for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
    return;
  }
  await withAdmin(url, async (admin) => {
    const schema = schemaOf(url);
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.query(`CREATE SCHEMA ${schema}`);
  });
}

export async function ensureSchema(url: string): Promise<void> {
  if (isPostgresUrl(url)) await withAdmin(url, (admin) => admin.query(`CREATE SCHEMA IF NOT EXISTS ${schemaOf(url)}`).then(() => {}));
}

/** Bytes on disk: the SQLite file with its WAL, or the PostgreSQL schema's tables and indexes. */
export async function sizeOf(url: string): Promise<number> {
  const file = sqlitePath(url);
  if (file !== undefined) return ['', '-wal'].reduce((sum, suffix) => sum + (statSync(file + suffix, { throwIfNoEntry: false })?.size ?? 0), 0);
  return withAdmin(url, async (admin) => {
    const { rows } = await admin.query(`SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0)::text AS bytes FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r'`, [schemaOf(url)]);
    return Number(rows[0].bytes);
  });
}

async function withAdmin<T>(url: string, fn: (admin: pg.Client) => Promise<T>): Promise<T> {
  const plain = new URL(url);
  plain.searchParams.delete('options');
  const admin = new pg.Client({ connectionString: plain.toString() });
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.end();
  }
}

export const label = (url: string) => (isPostgresUrl(url) ? 'postgres' : 'sqlite');
