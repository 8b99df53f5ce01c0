import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { zstdCompressSync } from 'node:zlib';
import { loadConfigObject } from '../config/load.ts';
import { createLogger } from '../logger.ts';
import { openStore } from '../store/open-store.ts';
import type { CallRecord } from './call-record.ts';
import { startRetention } from './retention.ts';

const hour = 3_600_000;

function call(id: string, endedAt: number): CallRecord {
  return { id, startedAt: endedAt - 100, endedAt, overheadMs: 0, method: 'POST', path: '/v1/messages', stream: false, status: 200, outcome: 'ok', usage: { inputTokens: 10, outputTokens: 2 }, costUsd: 0.001, toolCalls: [{ id: 't1', name: 'Bash', arguments: '{"command":"ls"}' }], bytesIn: 1, bytesOut: 1, login: 'alice@example.com' };
}

const capture = () => ({ headers: zstdCompressSync(Buffer.from('{"request":{},"response":{}}')), requestBody: zstdCompressSync(Buffer.from('{"secret":"prompt"}')), responseBody: zstdCompressSync(Buffer.from('{}')), truncated: false });

test("database.retention purges captures of calls older than its duration and keeps their metrics; 'tools' purges tool calls too", async () => {
  const { config } = loadConfigObject({ database: { retention: { duration: '24h', purge: ['captures', 'tools'] } } }, {});
  assert.ok(config);
  assert.deepEqual(config.retention, { zero: false, durationMs: 24 * hour, purgeToolCalls: true });
  const store = await openStore(`sqlite:${join(await mkdtemp(join(tmpdir(), 'tailgate-retention-')), 'db.sqlite')}`);
  await store.migrate();
  const now = Date.now();
  await store.insertCalls([
    { record: call('old', now - 48 * hour), captures: capture() },
    { record: call('new', now - hour), captures: capture() },
  ]);
  const retention = startRetention(store, () => config.retention, createLogger({ level: 'silent' }), 3_600_000);
  try {
    assert.equal(await retention.run(), 1);
    const old = await store.getCall('old');
    assert.equal(old?.captures, undefined, 'the old call lost its captures');
    assert.equal(old?.record.usage.inputTokens, 10, 'but not its metrics');
    assert.ok((await store.getCall('new'))?.captures, 'the recent call keeps its captures');
    const tools = await store.listToolCalls({}, { limit: 10 });
    assert.deepEqual(tools.items.map((tool) => tool.callId), ['new']);
  } finally {
    retention.stop();
    await store.close();
  }
});

test('retention durations follow Aperture: "" forever, "0" zero retention, 1h to 3650d', () => {
  const retention = (duration: string) => loadConfigObject({ database: { retention: { duration } } }, {});
  assert.deepEqual(retention('').config?.retention, { zero: false, purgeToolCalls: false });
  assert.deepEqual(retention('0').config?.retention, { zero: true, durationMs: 0, purgeToolCalls: false });
  assert.equal(retention('0').config?.storage.captureMaxBytes, 0, 'zero retention: nothing is captured');
  assert.equal(retention('720h').config?.retention.durationMs, 720 * hour);
  assert.ok(retention('10m').problems.some((problem) => /between 1h and 3650d/.test(problem.message)));
});
