import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, createReadStream, mkdtempSync, openSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { createLogger } from './logger.ts';

test('a log reader that stalls costs bounded memory, and the lines dropped meanwhile are counted once it reads again', { timeout: 10_000 }, async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tailgate-log-'));
  const fifo = path.join(dir, 'stdout');
  execFileSync('mkfifo', [fifo]);
  const writeEnd = openSync(fifo, 'r+'); // read-write: opening does not wait for a reader
  try {
    const maxBufferBytes = 256 * 1024;
    const logger = createLogger({ level: 'info', fd: writeEnd, maxBufferBytes });
    const lines = 4000;
    const padding = 'x'.repeat(400);
    for (let i = 0; i < lines; i++) logger.info({ i, padding }, 'call');

    // Nobody has read yet: the pipe holds 64 KiB, the logger at most its bound, the rest was dropped.
    const reader = createInterface({ input: createReadStream(fifo) });
    let received = 0;
    let dropped: number | undefined;
    for await (const line of reader) {
      const entry = JSON.parse(line) as { msg: string; dropped_lines?: number };
      if (entry.msg === 'call') received++;
      else if (entry.dropped_lines !== undefined) {
        dropped = entry.dropped_lines;
        break;
      }
    }
    reader.close();
    assert.ok(dropped !== undefined && dropped > 0, 'a warning counts the dropped lines');
    assert.equal(received + dropped, lines, 'every line either arrived or was counted as dropped');
    const lineBytes = JSON.stringify({ level: 30, time: Date.now(), i: lines, padding, msg: 'call' }).length + 1;
    assert.ok(received * lineBytes <= maxBufferBytes + 64 * 1024 + 4096 + lineBytes, `${received} lines held while the reader stalled`);
  } finally {
    closeSync(writeEnd);
    rmSync(dir, { recursive: true, force: true });
  }
});
