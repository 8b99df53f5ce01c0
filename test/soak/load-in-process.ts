// `tailgate serve` in this process, loaded from this process, for soak.test.ts: the process runs with
// --expose-gc, so what the heap still holds after a full collection can be compared at two points. Both
// points come after the same kinds of calls; a leak shows as growth between them.
//
//   node --expose-gc test/soak/load-in-process.ts <config file> <port> <warm-up calls> <measured calls>
//
// Prints one JSON line: the calls made by kind, and heap/arrayBuffers (bytes) at both points.
import http from 'node:http';
import { main } from '../../src/cli/main.ts';
import { body, PATHS, placeholderKeys, type Api } from '../../bench/plan.ts';

const [config, port, warmup, measured] = process.argv.slice(2);
const gc = (globalThis as { gc?: () => void }).gc!;
if (await main(['serve', '--config', config, '--listen', `127.0.0.1:${port}`])) process.exit(1);

const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
const calls: Record<string, number> = {};

/** One call; `abortAfterFirstChunk` leaves a stream after its first bytes, as a client that gives up. */
function call(kind: string, api: Api, payload: string, abortAfterFirstChunk = false): Promise<void> {
  calls[kind] = (calls[kind] ?? 0) + 1;
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: Number(port), path: PATHS[api], method: 'POST', agent, headers: placeholderKeys[api] }, (res) => {
      res.on('data', () => {
        if (abortAfterFirstChunk) req.destroy();
      });
      res.on('end', resolve);
      res.on('close', resolve);
      res.on('error', resolve);
    });
    req.on('error', (error) => (abortAfterFirstChunk ? resolve() : reject(error)));
    req.end(payload);
  });
}

const withDirective = (api: Api, directive: string) => body(api, 'stream').replace(/chunks=\d+ delay=\d+/, directive);
/** The i-th call of the mix: JSON and streams of both APIs, an unknown model, and now and then a client that leaves mid-stream. */
function nth(i: number): Promise<void> {
  if (i % 50 === 49) return call('aborted stream', 'openai', withDirective('openai', 'chunks=50 delay=2'), true);
  switch (i % 5) {
    case 0: return call('openai json', 'openai', body('openai', 'json'));
    case 1: return call('anthropic json', 'anthropic', body('anthropic', 'json'));
    case 2: return call('openai stream', 'openai', withDirective('openai', 'chunks=5 delay=0'));
    case 3: return call('anthropic stream', 'anthropic', withDirective('anthropic', 'chunks=5 delay=0'));
    default: return call('unknown model', 'openai', body('openai', 'json').replace('gpt-4.1', 'gpt-0-unknown'));
  }
}

async function load(count: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await nth(next++);
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

/** What the heap holds once the recording has caught up and two full collections ran. */
async function settled(): Promise<{ heapUsed: number; arrayBuffers: number }> {
  await new Promise((resolve) => setTimeout(resolve, 500)); // the store's batches, aborted upstreams
  gc();
  gc();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return { heapUsed, arrayBuffers };
}

await load(Number(warmup));
const before = await settled();
await load(Number(measured));
const after = await settled();
process.stdout.write(`${JSON.stringify({ calls, before, after })}\n`);
process.exit(0);
