// A small HTTP/1.1 server for the cloud fakes (Bedrock, Vertex and its token endpoint, Azure): it
// records every request and answers through a handler, with replies shaped like the fake
// upstream's (whole bodies, or chunks each written on its own so a client sees them arrive apart).
import http from 'node:http';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FakeReply } from '../fake-upstream/fake-upstream.ts';

export type { FakeReply };

export type CloudRequest = {
  method: string;
  /** With the query. */
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  json?: unknown;
};

export type FakeCloud = {
  url: string;
  requests: CloudRequest[];
  /** Replies used before the handler, first in first out. */
  queue: ((request: CloudRequest) => FakeReply | undefined)[];
  close(): Promise<void>;
};

export function json(status: number, body: unknown, headers: Record<string, string> = {}): FakeReply {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

export async function startFakeCloud(handler: (request: CloudRequest) => FakeReply | Promise<FakeReply>, options: { date?: () => number } = {}): Promise<FakeCloud> {
  const requests: CloudRequest[] = [];
  const queue: FakeCloud['queue'] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer({ noDelay: true }, (req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (chunk: Buffer) => parts.push(chunk));
    req.on('end', async () => {
      const body = Buffer.concat(parts);
      let parsed: unknown;
      try {
        parsed = body.length > 0 ? JSON.parse(body.toString('utf8')) : undefined;
      } catch {
        parsed = undefined;
      }
      const request: CloudRequest = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body, json: parsed };
      requests.push(request);
      let reply: FakeReply | undefined;
      try {
        while (!reply && queue.length > 0) reply = queue.shift()!(request);
        reply ??= await handler(request);
      } catch (error) {
        reply = json(500, { message: `fake cloud threw: ${String(error)}` });
      }
      // A fake with its own clock says so in Date, as AWS and Google front ends do.
      if (options.date) res.setHeader('date', new Date(options.date()).toUTCString());
      send(res, reply).catch(() => res.destroy());
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    queue,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

async function send(res: http.ServerResponse, reply: FakeReply): Promise<void> {
  if (reply.hang) return;
  if (reply.delayMs) await sleep(reply.delayMs);
  res.statusCode = reply.status ?? 200;
  for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
  if (reply.chunks === undefined) {
    res.end(reply.body ?? '');
    return;
  }
  res.flushHeaders();
  const count = Math.min(reply.chunks.length, reply.cutAfterChunks ?? reply.chunks.length);
  for (let i = 0; i < count; i++) {
    if (res.destroyed) return;
    res.write(reply.chunks[i]);
    // Each piece in its own TCP write (noDelay + a turn of the event loop), so frames straddle reads.
    await (reply.chunkDelayMs ? sleep(reply.chunkDelayMs) : new Promise<void>((resolve) => setImmediate(resolve)));
  }
  if (reply.cutAfterChunks === undefined) res.end();
  else res.socket?.destroy();
}

/** Cuts bytes into pieces of `size` (so binary frames straddle writes). */
export function pieces(bytes: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}
