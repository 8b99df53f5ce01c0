import pino from 'pino';

/**
 * Log lines held in memory while stdout is not being read (a stalled pipe to a log shipper, a paused
 * terminal). Without a bound the gateway grew by about 10 MB for every 20,000 calls' access-log lines
 * while its reader stood still; at about 300 bytes a line this holds some 28,000 lines, seconds of
 * a busy gateway. Lines beyond it are dropped and counted, never the calls: the store records those.
 */
const defaultMaxBufferBytes = 8 * 1024 * 1024;

/**
 * JSON lines on stdout, written asynchronously: process.stdout is synchronous for files and pipes
 * on Linux, which the data plane must never wait for. Lines gather up to 4 KiB (or 250 ms) per write,
 * so a busy gateway makes one write for many access-log lines instead of one each; pino flushes what
 * is left when the process exits. Once everything held has been written, a warning says how many
 * lines were dropped meanwhile.
 */
export function createLogger(options: { level?: string; fd?: number; maxBufferBytes?: number } = {}) {
  const destination = pino.destination({
    dest: options.fd ?? 1, sync: false, minLength: 4096, periodicFlush: 250,
    maxLength: options.maxBufferBytes ?? defaultMaxBufferBytes,
  });
  const logger = pino({ level: options.level ?? process.env.TAILGATE_LOG_LEVEL ?? 'info', base: undefined }, destination);
  let dropped = 0;
  destination.on('drop', () => { dropped++; });
  destination.on('drain', () => {
    if (dropped === 0) return;
    const lines = dropped;
    dropped = 0;
    logger.warn({ dropped_lines: lines }, 'log lines dropped: stdout was not read fast enough');
  });
  return logger;
}

export type Logger = ReturnType<typeof createLogger>;
