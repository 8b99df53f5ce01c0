import { FAILED_ROLLUPS } from './migration-failed-rollups.ts';
import { ddl, type DialectName } from './sql/dialect.ts';
import type { Executor } from './sql/executor.ts';

/**
 * Versioned schema. A migration is applied once, in a transaction together with its row in
 * `schema_migrations`; never edit a shipped migration, append a new one. Templates use `{blob}` and
 * `{clustered}` (dialect.ts); every other word is SQL both databases accept, except statements given
 * per dialect (`{ postgres: … }`), which the other dialect skips.
 */
export type Migration = { version: number; name: string; statements: (string | Partial<Record<DialectName, string>>)[] };

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'calls, tool calls, captures, rollups, sessions',
    statements: [
      // One row per CallRecord. Token columns are NULL when the provider did not report them (unknown ≠ 0).
      `CREATE TABLE calls (
        id TEXT PRIMARY KEY,
        started_at BIGINT NOT NULL,
        first_byte_at BIGINT,
        ended_at BIGINT NOT NULL,
        overhead_ms DOUBLE PRECISION NOT NULL,
        method TEXT NOT NULL,
        path TEXT NOT NULL,
        endpoint TEXT,
        login TEXT,
        identity_source TEXT,
        node TEXT,
        tags TEXT,
        user_agent TEXT,
        agent TEXT,
        session_id TEXT,
        provider TEXT,
        model TEXT,
        upstream_model TEXT,
        response_model TEXT,
        stream SMALLINT NOT NULL,
        status INTEGER NOT NULL,
        outcome TEXT NOT NULL,
        error_kind TEXT,
        input_tokens BIGINT,
        output_tokens BIGINT,
        cache_read_tokens BIGINT,
        cache_write_tokens BIGINT,
        cache_write_5m_tokens BIGINT,
        cache_write_1h_tokens BIGINT,
        reasoning_tokens BIGINT,
        cost_usd DOUBLE PRECISION,
        cost_basis TEXT,
        finish_reason TEXT,
        bytes_in BIGINT NOT NULL,
        bytes_out BIGINT NOT NULL
      )`,
      // Keyset pagination newest first, overall and within the filters the calls page offers.
      `CREATE INDEX calls_started ON calls (started_at, id)`,
      `CREATE INDEX calls_login ON calls (login, started_at, id)`,
      `CREATE INDEX calls_session ON calls (session_id, started_at, id)`,
      `CREATE INDEX calls_model ON calls (model, started_at, id)`,
      // "Show me the failures": errors are a few percent of calls, so a partial index stays small.
      `CREATE INDEX calls_failed ON calls (started_at, id) WHERE outcome <> 'ok'`,

      // Denormalised identity columns so the tool-call page never joins 10M calls.
      `CREATE TABLE tool_calls (
        call_id TEXT NOT NULL,
        position INTEGER NOT NULL,
        id TEXT,
        name TEXT NOT NULL,
        arguments TEXT NOT NULL,
        at BIGINT NOT NULL,
        login TEXT,
        agent TEXT,
        model TEXT,
        provider TEXT,
        session_id TEXT,
        PRIMARY KEY (call_id, position)
      )`,
      `CREATE INDEX tool_calls_at ON tool_calls (at, call_id, position)`,
      `CREATE INDEX tool_calls_login ON tool_calls (login, at, call_id, position)`,
      `CREATE INDEX tool_calls_name ON tool_calls (name, at, call_id, position)`,

      // Bodies as the recording pipeline compressed them; ended_at is copied here so retention finds
      // expired captures by an index on this table alone.
      `CREATE TABLE captures (
        call_id TEXT PRIMARY KEY,
        ended_at BIGINT NOT NULL,
        headers {blob} NOT NULL,
        request_body {blob} NOT NULL,
        response_body {blob} NOT NULL,
        truncated SMALLINT NOT NULL
      )`,
      `CREATE INDEX captures_ended ON captures (ended_at)`,
      // The bodies arrive zstd-compressed: PostgreSQL's TOAST would only burn CPU trying to compress them again.
      ...['headers', 'request_body', 'response_body'].map((column) => ({ postgres: `ALTER TABLE captures ALTER COLUMN ${column} SET STORAGE EXTERNAL` })),

      ...['hourly', 'daily'].flatMap((grain) => [
        // '' stands for an unknown login/agent/model/provider: NULL may not be part of a primary key.
        `CREATE TABLE rollups_${grain} (
          bucket BIGINT NOT NULL,
          login TEXT NOT NULL,
          agent TEXT NOT NULL,
          model TEXT NOT NULL,
          provider TEXT NOT NULL,
          requests BIGINT NOT NULL,
          errors BIGINT NOT NULL,
          input_tokens BIGINT NOT NULL,
          output_tokens BIGINT NOT NULL,
          cache_read_tokens BIGINT NOT NULL,
          cache_write_tokens BIGINT NOT NULL,
          reasoning_tokens BIGINT NOT NULL,
          cost_usd DOUBLE PRECISION NOT NULL,
          unpriced_requests BIGINT NOT NULL,
          latency_ms_sum BIGINT NOT NULL,
          latency_ms_max BIGINT NOT NULL,
          PRIMARY KEY (bucket, login, agent, model, provider)
        ) {clustered}`,
        // A user's own dashboard (the viewer restriction) reads only their rows.
        `CREATE INDEX rollups_${grain}_login ON rollups_${grain} (login, bucket)`,
      ]),

      // Keyed by (session id, login): a session id may be a fingerprint of the first messages, which two
      // people can share ("hi"), and a caller may send any session header — neither may merge into
      // another person's session.
      `CREATE TABLE sessions (
        session_id TEXT NOT NULL,
        login TEXT NOT NULL,
        agent TEXT NOT NULL,
        agent_at BIGINT NOT NULL,
        first_at BIGINT NOT NULL,
        last_at BIGINT NOT NULL,
        requests BIGINT NOT NULL,
        errors BIGINT NOT NULL,
        input_tokens BIGINT NOT NULL,
        output_tokens BIGINT NOT NULL,
        cache_read_tokens BIGINT NOT NULL,
        cache_write_tokens BIGINT NOT NULL,
        reasoning_tokens BIGINT NOT NULL,
        cost_usd DOUBLE PRECISION NOT NULL,
        unpriced_requests BIGINT NOT NULL,
        PRIMARY KEY (session_id, login)
      )`,
      `CREATE INDEX sessions_last ON sessions (last_at, session_id, login)`,
      `CREATE INDEX sessions_login ON sessions (login, last_at, session_id)`,
      // The models a session used: a set, kept as rows so both databases add to it with a plain upsert.
      `CREATE TABLE session_models (
        session_id TEXT NOT NULL,
        login TEXT NOT NULL,
        model TEXT NOT NULL,
        provider TEXT NOT NULL,
        PRIMARY KEY (session_id, login, model, provider)
      ) {clustered}`,
    ],
  },
  FAILED_ROLLUPS,
];

/** Applies pending migrations in one transaction; safe to call at every start and from several replicas at once. */
export async function migrate(db: Executor, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  return db.transaction(async (tx) => {
    if (tx.dialect.migrationLock) await tx.query(tx.dialect.migrationLock);
    await tx.run(`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`);
    const done = new Set((await tx.query<{ version: number }>(`SELECT version FROM schema_migrations`)).map((row) => Number(row.version)));
    const applied: number[] = [];
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(migration.version)) continue;
      for (const statement of migration.statements) {
        const text = typeof statement === 'string' ? statement : statement[tx.dialect.name];
        if (text !== undefined) await tx.run(ddl(tx.dialect, text));
      }
      await tx.run(`INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`, [migration.version, migration.name, Date.now()]);
      applied.push(migration.version);
    }
    return applied;
  });
}
