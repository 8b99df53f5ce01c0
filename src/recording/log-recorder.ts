import pino from 'pino';
import type { Logger } from '../logger.ts';
import type { CallRecord } from './call-record.ts';
import type { Recorder } from './recorder.ts';

const field = (name: string, value: unknown): string => (value === undefined ? '' : `,"${name}":${JSON.stringify(value)}`);

/**
 * One access-log line per call: who, what, how it ended, tokens and cost. Never a body, a tool
 * argument or a key. The line is pino's own shape (level, time, fields, msg), written to the
 * logger's destination directly: built by hand it costs a fraction of pino's generic serializer,
 * and this runs once per call on the data plane. The lines of one event-loop turn reach the
 * destination as one write: sonic-boom measures the byte length of its whole pending buffer on every
 * write, which per line was the data plane's largest single source of garbage.
 */
export function createLogRecorder(logger: Logger): Recorder {
  const destination = (logger as unknown as Record<symbol, { write(line: string): unknown }>)[pino.symbols.streamSym];
  const info = pino.levels.values.info;
  let pending = '';
  const flush = () => {
    destination.write(pending);
    pending = '';
  };
  return {
    async record(call: CallRecord) {
      if (!logger.isLevelEnabled('info')) return;
      if (pending === '') setImmediate(flush);
      pending +=
        `{"level":${info},"time":${Date.now()}` +
        field('id', call.id) +
        field('path', call.path) +
        field('provider', call.provider) +
        field('model', call.model) +
        field('status', call.status) +
        field('outcome', call.outcome) +
        field('error', call.errorKind) +
        field('ms', call.endedAt - call.startedAt) +
        field('usage', call.usage) +
        field('cost_usd', call.costUsd) +
        field('tools', call.toolCalls.length || undefined) +
        field('login', call.login) +
        field('agent', call.agent ?? call.userAgent) +
        field('session', call.sessionId) +
        `,"msg":"call"}\n`;
    },
  };
}
