import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttp2Server, type Http2Session } from 'node:http2';
import type { Socket } from 'node:net';

// HTTP/2 over cleartext with prior knowledge (RFC 9113 §3.3) on the HTTP/1.1 port. The AWS SDK's
// Bedrock Runtime client speaks HTTP/2 by default (NodeHttp2Handler), and against an `http://`
// endpoint that is h2c: the connection opens with the client preface instead of a request line. Each
// new connection is sniffed: the preface sends the socket to a node:http2 server whose compatibility
// API hands the same request/response shapes to the same handler; anything else goes to the
// HTTP/1.1 server as if it had accepted the socket itself.

const preface = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
/** A client that opens a connection and sends nothing is dropped after this long. */
const sniffTimeoutMs = 30_000;
const idleSessionMs = 65_000;

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/** Adds h2c to an HTTP/1.1 server; its closeAllConnections/closeIdleConnections then cover HTTP/2 sessions too. */
export function serveH2c(server: Server, handler: Handler): void {
  // Node's http2 compatibility request/response mirror http's closely enough for the data plane:
  // headers, rawHeaders (plus pseudo-headers, which headers.ts drops), url, socket, streaming writes
  // with back-pressure, destroy() for aborts and a 'close' event when the client goes away.
  const h2 = createHttp2Server({ settings: { maxConcurrentStreams: 250 } }, handler as unknown as Parameters<typeof createHttp2Server>[1]);
  const sessions = new Set<Http2Session>();
  h2.on('session', (session: Http2Session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
    // Like HTTP/1.1's keep-alive timeout: a silent session is closed gracefully (open streams finish).
    session.setTimeout(idleSessionMs, () => session.close());
  });
  h2.on('sessionError', () => {}); // the session closes itself; nothing to report to a client

  const http1 = server.listeners('connection') as ((socket: Socket) => void)[];
  server.removeAllListeners('connection');
  server.on('connection', (socket: Socket) => {
    let seen: Buffer = Buffer.alloc(0);
    const timer = setTimeout(() => socket.destroy(), sniffTimeoutMs);
    const decide = (http2: boolean): void => {
      clearTimeout(timer);
      socket.off('data', onData).off('close', onClose);
      socket.pause();
      socket.unshift(seen);
      if (http2) {
        // The session reads what is already buffered on the socket itself.
        h2.emit('connection', socket);
        return;
      }
      for (const listener of http1) listener.call(server, socket);
      socket.resume();
    };
    const onData = (chunk: Buffer): void => {
      seen = seen.length === 0 ? chunk : Buffer.concat([seen, chunk]);
      const length = Math.min(seen.length, preface.length);
      if (!seen.subarray(0, length).equals(preface.subarray(0, length))) decide(false);
      else if (seen.length >= preface.length) decide(true);
    };
    const onClose = (): void => clearTimeout(timer);
    socket.on('data', onData).on('close', onClose);
  });

  const closeAll = server.closeAllConnections.bind(server);
  const closeIdle = server.closeIdleConnections.bind(server);
  server.closeAllConnections = () => {
    closeAll();
    for (const session of sessions) session.destroy();
  };
  server.closeIdleConnections = () => {
    closeIdle();
    // GOAWAY: open streams finish, no new ones start.
    for (const session of sessions) session.close();
  };
}
