import pino from 'pino';
import type { Logger } from '../logger.ts';
import type { CallRecord } from './call-record.ts';
import type { Recorder } from './recorder.ts';

/**
 * One access-log line per call: who, what, how it ended, tokens and cost. Never a body, a tool
 * argument or a key. The line is pino's own shape (level, time, fields, msg), written to the
 * logger's destination directly: one JSON.stringify costs a fraction of pino's generic serializer
 * (and 25% less than concatenating each field), and this runs once per call. The lines of one
 * event-loop turn reach the destination as one write: sonic-boom measures the byte length of its whole
 * pending buffer on every write, which per line was the data plane's largest single source of garbage.
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
      // pino's shape: level and time first, msg last; JSON.stringify leaves out what is undefined.
      pending += `${JSON.stringify({
        level: info,
        time: Date.now(),
        id: call.id,
        path: call.path,
        provider: call.provider,
        model: call.model,
        status: call.status,
        outcome: call.outcome,
        error: call.errorKind,
        ms: call.endedAt - call.startedAt,
        usage: call.usage,
        cost_usd: call.costUsd,
        tools: call.toolCalls.length || undefined,
        login: call.login,
        agent: call.agent ?? call.userAgent,
        session: call.sessionId,
        msg: 'call',
      })}\n`;
    },
  };
}
