// The floor any Node gateway pays: node:http in, undici Pool out, bytes streamed both ways, nothing
// else (no auth, no parsing, no logging). Uses undici's stream() with the client response as the sink,
// the cheapest way undici offers to relay a body (request() + pipeline() measured about half the
// throughput here). A client that leaves aborts the upstream request, as any real proxy must.
//   node bench/bare-proxy.ts <upstream-origin> [port]     prints "READY <port>" once listening.
import http from 'node:http';
import { Pool } from 'undici';

const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer', 'host']);
const pool = new Pool(process.argv[2] ?? 'http://127.0.0.1:8080', { connections: 256, keepAliveTimeout: 120_000 });

function strip(headers: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined && !HOP.has(k)) out[k] = v;
  return out;
}

const server = http.createServer(async (req, res) => {
  const ac = new AbortController();
  res.on('close', () => { if (!res.writableFinished) ac.abort(); });
  try {
    await pool.stream(
      { method: req.method as 'POST', path: req.url ?? '/', headers: strip(req.headers), body: req.method === 'GET' || req.method === 'HEAD' ? null : req, signal: ac.signal },
      ({ statusCode, headers }) => { res.writeHead(statusCode, strip(headers)); return res; },
    );
  } catch {
    if (res.headersSent) return void res.destroy();
    res.writeHead(502, { 'content-type': 'application/json' }).end('{"error":{"message":"upstream failed"}}');
  }
});
server.keepAliveTimeout = 120_000;
server.headersTimeout = 121_000;
server.listen(Number(process.argv[3] ?? 0), '127.0.0.1', () => {
  const addr = server.address();
  process.stdout.write(`READY ${typeof addr === 'object' && addr ? addr.port : 0}\n`);
});
process.on('SIGTERM', () => process.exit(0));
