import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import pino from 'pino';
import type { CallRecord } from './call-record.ts';
import { createLogRecorder } from './log-recorder.ts';

function capturingLogger(level = 'info') {
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk, _encoding, done) => void (lines.push(String(chunk)), done()) });
  return { logger: pino({ level, base: undefined }, sink), lines };
}

const call: CallRecord = {
  id: '01a2147a-dfa1-7505-89b8-600da9825fad', startedAt: 1_000, endedAt: 1_250, overheadMs: 1, method: 'POST', path: '/v1/messages',
  login: 'alice@example.com', userAgent: 'claude-cli/2.1.332', agent: 'claude-code', sessionId: 'cc-1', provider: 'anthropic', model: 'claude-sonnet-4-5',
  stream: true, status: 200, outcome: 'ok', usage: { inputTokens: 12, outputTokens: 3 }, costUsd: 0.0001,
  toolCalls: [{ id: 't1', name: 'Bash', arguments: '{"command":"cat ~/.aws/credentials"}' }], bytesIn: 10, bytesOut: 20,
};

test('the access-log line is what pino itself would write for those fields, without tool arguments', async () => {
  const { logger, lines } = capturingLogger();
  await createLogRecorder(logger).record(call);
  await new Promise(setImmediate); // the lines of a turn are written together
  logger.info({ id: call.id, path: call.path, provider: 'anthropic', model: call.model, status: 200, outcome: 'ok', ms: 250, usage: call.usage, cost_usd: 0.0001, tools: 1, login: call.login, agent: 'claude-code', session: 'cc-1' }, 'call');
  assert.equal(lines.length, 2);
  const [ours, pinos] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  assert.ok(typeof ours.time === 'number');
  assert.deepEqual({ ...ours, time: 0 }, { ...pinos, time: 0 });
  assert.doesNotMatch(lines[0], /credentials|Bash/);
});

test('no line below the info level', async () => {
  const { logger, lines } = capturingLogger('warn');
  await createLogRecorder(logger).record(call);
  await new Promise(setImmediate);
  assert.equal(lines.length, 0);
});

test('the lines of one turn arrive as one write, each a whole line', async () => {
  const { logger, lines } = capturingLogger();
  const recorder = createLogRecorder(logger);
  await Promise.all([recorder.record(call), recorder.record({ ...call, id: 'second' })]);
  assert.equal(lines.length, 0, 'not before the turn ends');
  await new Promise(setImmediate);
  assert.equal(lines.length, 1);
  assert.deepEqual(lines[0].trimEnd().split('\n').map((line) => (JSON.parse(line) as { id: string }).id), [call.id, 'second']);
});
