import type { Executor } from './sql/executor.ts';

/** Rows one purge statement deletes: small enough that no statement holds its locks for long. */
export const PURGE_BATCH = 1000;

/**
 * One bounded retention step: deletes up to `limit` captures (and, when asked, up to `limit` tool calls)
 * of calls that ended before `before`. Each statement is its own short transaction, so writers are never
 * held up for the whole purge; callers loop until a step deletes less than `limit` of each.
 * Calls and rollups stay: usage history outlives the bodies.
 */
export async function purgeStep(db: Executor, before: number, options: { toolCalls: boolean }, limit = PURGE_BATCH): Promise<{ captures: number; toolCalls: number }> {
  const captures = await db.run(
    `DELETE FROM captures WHERE call_id IN (SELECT call_id FROM captures WHERE ended_at < $1 LIMIT $2)`,
    [before, limit],
  );
  const toolCalls = !options.toolCalls ? 0 : await db.run(
    // Row-value IN over a subquery: both databases accept it, and it reaches rows by primary key.
    `DELETE FROM tool_calls WHERE (call_id, position) IN (SELECT call_id, position FROM tool_calls WHERE at < $1 LIMIT $2)`,
    [before, limit],
  );
  return { captures, toolCalls };
}

/** Loops `step` until nothing is left; returns how many calls lost their captures. */
export async function purgeAll(step: (limit: number) => Promise<{ captures: number; toolCalls: number }>, limit = PURGE_BATCH): Promise<number> {
  let purged = 0;
  for (;;) {
    const done = await step(limit);
    purged += done.captures;
    if (done.captures < limit && done.toolCalls < limit) return purged;
  }
}
