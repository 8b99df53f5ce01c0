import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { Logger } from '../logger.ts';
import type { Store, StoredCall } from '../store/store.ts';
import type { CallRecord } from './call-record.ts';
import { Journal } from './journal.ts';
import { createRecordWriter } from './writer.ts';

/** A store that keeps calls by id (inserts are idempotent, as the real ones) and can be made to fail or stall. */
function fakeStore() {
  const calls = new Map<string, CallRecord>();
  let inserts = 0;
  let down = false;
  let gate: Promise<void> | undefined;
  const store = {
    async insertCalls(batch: readonly StoredCall[]) {
      await gate;
      if (down) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
      inserts++;
      for (const { record } of batch) if (!calls.has(record.id)) calls.set(record.id, record);
    },
  };
  return {
    store: store as unknown as Store,
    calls,
    inserts: () => inserts,
    setDown: (value: boolean) => void (down = value),
    stall(): () => void {
      let open!: () => void;
      gate = new Promise((resolve) => (open = resolve));
      return () => {
        gate = undefined;
        open();
      };
    },
  };
}

function fakeLogger() {
  const lines: string[] = [];
  const log = (_fields: unknown, message: string) => void lines.push(message);
  return { logger: { info: log, warn: log, error: log } as unknown as Logger, lines };
}

function call(n: number): CallRecord {
  return { id: `call-${n}`, startedAt: 1_000 + n, endedAt: 1_010 + n, overheadMs: 0, method: 'POST', path: '/v1/messages', stream: false, status: 200, outcome: 'ok', usage: {}, toolCalls: [], bytesIn: 10, bytesOut: 20 };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (const started = Date.now(); !condition(); ) {
    if (Date.now() - started > 10_000) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function withJournal(fn: (journal: Journal, dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tailgate-writer-'));
  try {
    const { journal } = await Journal.open(dir);
    await fn(journal, dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('while the store is down calls are answered and journaled; once it is back each is stored exactly once', async () => {
  await withJournal(async (journal) => {
    const fake = fakeStore();
    const { logger, lines } = fakeLogger();
    const writer = createRecordWriter({ store: fake.store, journal, logger, gatherMs: 1, retryMs: 20 });
    fake.setDown(true);
    for (let n = 0; n < 40; n++) await writer.record(call(n)); // each resolves once journaled, store or not
    await until(() => writer.stats().failing, 'the failure to be noticed');
    for (let n = 40; n < 80; n++) await writer.record(call(n));
    assert.equal(fake.calls.size, 0);
    assert.ok(writer.stats().spoolBytes > 0, 'the calls wait in the journal on disk');
    assert.ok(lines.includes('cannot write calls to the store; they wait in the journal'));

    fake.setDown(false);
    await until(() => fake.calls.size === 80, 'every call to be stored');
    await until(() => !writer.stats().failing && writer.stats().spoolBytes === 0, 'the spool to empty');
    assert.deepEqual([...fake.calls.keys()].sort(), Array.from({ length: 80 }, (_, n) => `call-${n}`).sort());
    assert.ok(lines.includes('store is writable again'));
    await writer.close();
  });
});

test('past maxQueued calls handed to a slow store, new ones wait in the journal and are stored from there', async () => {
  await withJournal(async (journal) => {
    const fake = fakeStore();
    const { logger, lines } = fakeLogger();
    const writer = createRecordWriter({ store: fake.store, journal, logger, gatherMs: 1, batchSize: 5, maxQueued: 10 });
    const open = fake.stall();
    for (let n = 0; n < 60; n++) await writer.record(call(n));
    assert.ok(writer.stats().queued <= 10, `at most maxQueued calls are held for the store, not ${writer.stats().queued}`);
    assert.ok(lines.includes('store is behind; new calls wait in the journal only'));
    open();
    await until(() => fake.calls.size === 60, 'every call to be stored');
    await until(() => writer.stats().spoolBytes === 0, 'the spool to empty');
    await writer.close();
  });
});

test('close writes what is still gathering', async () => {
  await withJournal(async (journal) => {
    const fake = fakeStore();
    const writer = createRecordWriter({ store: fake.store, journal, logger: fakeLogger().logger, gatherMs: 60_000 });
    for (let n = 0; n < 7; n++) await writer.record(call(n));
    assert.equal(fake.calls.size, 0, 'still gathering');
    await writer.close();
    assert.equal(fake.calls.size, 7);
  });
});

test('segments a crashed run left behind are replayed into the store', async () => {
  await withJournal(async (first, dir) => {
    const lines = [call(1), call(2), call(3)].map((record) => JSON.stringify(record));
    for (const line of lines) await first.append(line);
    await first.close(); // as a crash would leave it: journaled, never stored
    const { journal, leftovers } = await Journal.open(dir);
    assert.equal(leftovers.length, 1);
    const fake = fakeStore();
    const writer = createRecordWriter({ store: fake.store, journal, logger: fakeLogger().logger });
    writer.replay(leftovers);
    await until(() => fake.calls.size === 3, 'the leftovers to be stored');
    await until(() => writer.stats().spoolBytes === 0, 'the replayed segment to be deleted');
    await writer.close();
  });
});
