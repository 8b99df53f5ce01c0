import pino from 'pino';

/**
 * JSON lines on stdout, written asynchronously: process.stdout is synchronous for files and pipes
 * on Linux, which the data plane must never wait for. Lines gather up to 4 KiB (or 250 ms) per write,
 * so a busy gateway makes one write for many access-log lines instead of one each; pino flushes what
 * is left when the process exits.
 */
export function createLogger(options: { level?: string } = {}) {
  return pino({ level: options.level ?? process.env.TAILGATE_LOG_LEVEL ?? 'info', base: undefined }, pino.destination({ dest: 1, sync: false, minLength: 4096, periodicFlush: 250 }));
}

export type Logger = ReturnType<typeof createLogger>;
