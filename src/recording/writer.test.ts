import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { Logger } from '../logger.ts';
import type { Store, StoredCall } from '../store/store.ts';
import type { CallRecord } from './call-record.ts';
import { unpackCapture } from './capture-codec.ts';
import { Journal } from './journal.ts';
import { encodeFrame, readFrames } from './journal-frame.ts';
import type { CallCapture } from './recorder.ts';
import { createRecordWriter } from './writer.ts';

/** A store that keeps calls by id (inserts are idempotent, as the real ones) and can be made to fail or stall. */
function fakeStore() {
  const calls = new Map<string, StoredCall>();
  const batches: number[] = [];
  let down = false;
  let gate: Promise<void> | undefined;
  const store = {
    async ingestJournal(file: string, from: number, to: number, maxCalls: number) {
      await gate;
      if (down) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
      const frames = readFrames(file, from, to, maxCalls);
      if (frames.calls.length > 0) batches.push(frames.calls.length);
      for (const stored of frames.calls) if (!calls.has(stored.record.id)) calls.set(stored.record.id, stored);
      return { calls: frames.calls.length, end: frames.end };
    },
  };
  return {
    store: store as unknown as Store,
    calls,
    batches,
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
    const journal = await Journal.open(dir);
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

test('a stalled store never holds up the data plane: calls wait in the journal, then go in batches', async () => {
  await withJournal(async (journal) => {
    const fake = fakeStore();
    const writer = createRecordWriter({ store: fake.store, journal, logger: fakeLogger().logger, gatherMs: 1, batchSize: 7 });
    const open = fake.stall();
    for (let n = 0; n < 60; n++) await writer.record(call(n)); // each resolves once journaled
    assert.equal(writer.stats().queued, 60);
    assert.ok(writer.stats().spoolBytes > 0, 'the backlog is on disk');
    open();
    await until(() => fake.calls.size === 60, 'every call to be stored');
    await until(() => writer.stats().spoolBytes === 0 && writer.stats().queued === 0, 'the spool to empty');
    assert.ok(fake.batches.every((size) => size <= 7), `no batch above batchSize: ${fake.batches.join(',')}`);
    await writer.close();
  });
});

test('captures go through the journal: headers redacted on disk, bodies exact, large parts compressed', async () => {
  await withJournal(async (journal, dir) => {
    const fake = fakeStore();
    const writer = createRecordWriter({ store: fake.store, journal, logger: fakeLogger().logger, gatherMs: 1 });
    const prompt = Buffer.from(JSON.stringify({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'x'.repeat(5000) }] }));
    const events = ['event: message_start\ndata: {}\n\n', 'event: content_block_delta\ndata: {"delta":"\u00e9\t\n"}\n\n'].map((text) => Buffer.from(text));
    const capture: CallCapture = {
      requestHeaders: ['Content-Type', 'application/json', 'X-Api-Key', 'sk-ant-secret-key', 'anthropic-version', '2023-06-01'],
      requestBody: prompt,
      responseHeaders: { 'content-type': 'text/event-stream', 'set-cookie': ['a=b'] },
      responseChunks: events,
      responseBytes: events.reduce((sum, chunk) => sum + chunk.length, 0),
      truncated: true,
    };
    await writer.record(call(1), capture);
    await writer.record(call(2));
    const onDisk = Buffer.concat(await Promise.all((await readdir(dir)).map((name) => readFile(path.join(dir, name)))));
    assert.ok(!onDisk.includes('sk-ant-secret-key'), 'no credential on disk');
    await until(() => fake.calls.size === 2, 'both calls to be stored');
    const stored = fake.calls.get('call-1')!.captures!;
    assert.deepEqual(JSON.parse(unpackCapture(stored.headers).toString()), {
      request: { 'content-type': 'application/json', 'x-api-key': '[redacted]', 'anthropic-version': '2023-06-01' },
      response: { 'content-type': 'text/event-stream', 'set-cookie': '[redacted]' },
    });
    assert.ok(unpackCapture(stored.requestBody).equals(prompt));
    assert.ok(stored.requestBody.length < prompt.length, 'the large request body is stored compressed');
    assert.ok(unpackCapture(stored.responseBody).equals(Buffer.concat(events)));
    assert.equal(stored.truncated, true);
    assert.equal(fake.calls.get('call-2')!.captures, undefined);
    assert.deepEqual(fake.calls.get('call-2')!.record, call(2));
    await writer.close();
  });
});

test('close stores what is still gathering', async () => {
  await withJournal(async (journal) => {
    const fake = fakeStore();
    const writer = createRecordWriter({ store: fake.store, journal, logger: fakeLogger().logger, gatherMs: 60_000 });
    for (let n = 0; n < 7; n++) await writer.record(call(n));
    assert.equal(fake.calls.size, 0, 'still gathering');
    await writer.close();
    assert.equal(fake.calls.size, 7);
  });
});

test('calls a crashed run left behind are stored once migrations are done; a torn last frame is skipped', async () => {
  await withJournal(async (first, dir) => {
    for (const n of [1, 2, 3]) await first.append(encodeFrame(JSON.stringify(call(n)), undefined));
    await first.close();
    // The crash tore the last write: half a frame at the end of the segment.
    const [segment] = await readdir(dir);
    await appendFile(path.join(dir, segment), encodeFrame(JSON.stringify(call(4)), undefined)[0].subarray(0, 40));
    // A segment an earlier version wrote: records only, one per line.
    await writeFile(path.join(dir, 'calls-000000000000.ndjson'), `${JSON.stringify(call(0))}\n`);
    const journal = await Journal.open(dir);
    const fake = fakeStore();
    let migrated!: () => void;
    const writer = createRecordWriter({ store: fake.store, journal, logger: fakeLogger().logger, ready: new Promise((resolve) => (migrated = resolve)) });
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(fake.calls.size, 0, 'nothing is stored before migrations');
    migrated();
    await until(() => fake.calls.size === 4, 'the leftovers to be stored');
    assert.deepEqual([...fake.calls.keys()].sort(), ['call-0', 'call-1', 'call-2', 'call-3']);
    await until(() => writer.stats().spoolBytes === 0, 'the replayed segments to be deleted');
    await writer.close();
    assert.equal((await readdir(dir)).length, 1, 'only the current segment is left');
  });
});
