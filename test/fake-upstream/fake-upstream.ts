// One HTTP server on 127.0.0.1 that stands in for api.openai.com, api.anthropic.com and
// generativelanguage.googleapis.com at once. Tests queue replies (FIFO, one per request) and inspect
// what the gateway sent; with an empty queue it answers like the real API (default-replies.ts), so a
// real coding-agent CLI pointed at it gets through a turn.
import http from 'node:http';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { defaultReply } from './default-replies.ts';

export { DIALECTS, fixture, fixtureDir, fixtureNames, isStream, splitEvents } from './fixtures.ts';
export type { Dialect, Expected, ExpectedToolCall, ExpectedUsage, Fixture } from './fixtures.ts';

export type FakeReply = {
  status?: number;
  headers?: Record<string, string>;
  /** Sent whole, with content-length. Ignored when `chunks` is set. */
  body?: string | Buffer;
  /** Each one is its own `res.write`, so the client sees a stream that arrives in pieces. */
  chunks?: (string | Buffer)[];
  /** Pause between chunks; even at 0 the fake yields to the event loop between writes. */
  chunkDelayMs?: number;
  /** Destroy the socket after this many chunks: a stream cut mid-way (no terminating chunk). */
  cutAfterChunks?: number;
  /** Wait before sending headers. */
  delayMs?: number;
  /** Never answer (timeout tests). The request is still recorded. */
  hang?: boolean;
};

export type RecordedRequest = {
  method: string;
  /** Includes the query string. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  json?: unknown;
  receivedAt: number;
  /** True if the client went away before we finished (set later, while the reply is in flight). */
  aborted: boolean;
};

export type ReplySource = FakeReply | ((request: RecordedRequest) => FakeReply);

export interface FakeUpstream {
  url: string;
  requests: RecordedRequest[];
  reply(reply: ReplySource): void;
  close(): Promise<void>;
  waitForRequests(n: number, timeoutMs?: number): Promise<void>;
  /** Resolves once `predicate(requests)` holds; re-checked on every arrival and every abort. */
  waitFor(predicate: (requests: RecordedRequest[]) => boolean, timeoutMs?: number): Promise<void>;
}

export async function startFakeUpstream(): Promise<FakeUpstream> {
  const requests: RecordedRequest[] = [];
  const queue: ReplySource[] = [];
  const waiters = new Set<() => void>();
  const sockets = new Set<Socket>();
  let closing = false;

  const changed = (): void => {
    for (const check of [...waiters]) check();
  };

  // noDelay: without it Nagle's algorithm would merge small chunk writes into one segment.
  const server = http.createServer({ noDelay: true }, (req, res) => {
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers: req.headers,
      body: Buffer.alloc(0),
      receivedAt: Date.now(),
      aborted: false,
    };
    const parts: Buffer[] = [];
    let recorded = false;
    const recordOnce = (): void => {
      if (recorded) return;
      recorded = true;
      record.body = Buffer.concat(parts);
      record.json = parseJson(record.body);
      requests.push(record);
      changed();
    };
    const state = { cutByUs: false };
    const markAborted = (): void => {
      if (closing || state.cutByUs || record.aborted) return;
      record.aborted = true;
      recordOnce(); // a client that leaves mid-body is still a request we saw
      changed();
    };

    req.on('data', (chunk: Buffer) => parts.push(chunk));
    req.on('close', () => {
      if (!req.complete) markAborted();
    });
    res.on('close', () => {
      if (!res.writableFinished) markAborted();
    });
    req.on('end', () => {
      recordOnce();
      const next = queue.shift();
      let reply: FakeReply;
      try {
        reply = next === undefined ? defaultReply(record) : typeof next === 'function' ? next(record) : next;
      } catch (error) {
        reply = { status: 500, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: { message: `fake upstream reply threw: ${String(error)}` } }) };
      }
      send(res, reply, state).catch(() => res.destroy());
    });
  });

  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('fake upstream: no TCP address');

  const waitFor = (predicate: (requests: RecordedRequest[]) => boolean, timeoutMs = 5000): Promise<void> => {
    if (predicate(requests)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!predicate(requests)) return;
        done();
        resolve();
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`fake upstream: condition not met within ${timeoutMs} ms (${requests.length} requests recorded)`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
    });
  };

  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    reply(reply) {
      queue.push(reply);
    },
    waitFor,
    waitForRequests(n, timeoutMs = 5000) {
      return waitFor((all) => all.length >= n, timeoutMs);
    },
    async close() {
      closing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Hanging replies and keep-alive sockets would otherwise hold close() open forever.
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

async function send(res: http.ServerResponse, reply: FakeReply, state: { cutByUs: boolean }): Promise<void> {
  if (reply.hang) return;
  if (reply.delayMs) await sleep(reply.delayMs);
  if (res.destroyed) return;
  res.statusCode = reply.status ?? 200;
  for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
  if (reply.chunks === undefined) {
    res.end(reply.body ?? ''); // end() with the whole body lets node set content-length
    return;
  }
  res.flushHeaders();
  const chunks = reply.chunks;
  const count = Math.min(chunks.length, reply.cutAfterChunks ?? chunks.length);
  for (let i = 0; i < count; i++) {
    if (res.destroyed) return;
    if (!res.write(chunks[i])) await whenDrainedOrClosed(res);
    // Yield (or wait) so every chunk leaves in its own TCP write instead of being coalesced.
    await (reply.chunkDelayMs ? sleep(reply.chunkDelayMs) : new Promise<void>((resolve) => setImmediate(resolve)));
  }
  if (reply.cutAfterChunks === undefined) {
    res.end();
    return;
  }
  // Let what was written reach the kernel first, so the client really sees the first N chunks.
  const socket = res.socket;
  if (socket && socket.writableLength > 0) await whenDrainedOrClosed(socket);
  state.cutByUs = true;
  socket?.destroy();
}

function whenDrainedOrClosed(stream: NodeJS.WritableStream & NodeJS.EventEmitter): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}

function parseJson(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}
