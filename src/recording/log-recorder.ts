import type { Logger } from '../logger.ts';
import type { CallRecord } from './call-record.ts';
import type { Recorder } from './recorder.ts';

/** One access-log line per call: who, what, how it ended, tokens and cost. Never a body or a key. */
export function createLogRecorder(logger: Logger): Recorder {
  return {
    async record(call: CallRecord) {
      logger.info(
        {
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
        },
        'call',
      );
    },
  };
}
