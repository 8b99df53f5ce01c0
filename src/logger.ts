import pino from 'pino';

/**
 * JSON lines on stdout, written asynchronously: process.stdout is synchronous for files and pipes
 * on Linux, which the data plane must never wait for.
 */
export function createLogger(options: { level?: string } = {}) {
  return pino({ level: options.level ?? process.env.TAILGATE_LOG_LEVEL ?? 'info', base: undefined }, pino.destination({ dest: 1, sync: false }));
}

export type Logger = ReturnType<typeof createLogger>;
