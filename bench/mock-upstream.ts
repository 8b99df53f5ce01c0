// Mock LLM upstream for the benchmark: OpenAI chat completions and Anthropic messages, JSON and SSE.
// Kept minimal so the upstream is never the bottleneck; bodies are small but shaped like the real ones
// (ids, usage, finish reasons), so a gateway's usage tap has real work to do.
//
//   node bench/mock-upstream.ts [port]     prints "READY <port>" on stdout once listening.
//
// Streams: the last user message may carry directives `chunks=N` and `delay=D` (ms between deltas);
// defaults are 20 deltas, 1 ms apart. The directive rides in the message text because every gateway
// passes message content through untouched, unlike custom headers.
import http from 'node:http';

const OPENAI_KEY = 'Bearer sk-bench';
const ANTHROPIC_KEY = 'sk-ant-bench';
const CREATED = 1764000000;
let seq = 0;

function directive(raw: string, name: string, fallback: number): number {
  const m = new RegExp(`${name}=(\\d+)`).exec(raw);
  return m ? Number(m[1]) : fallback;
}

function send(res: http.ServerResponse, status: number, body: string, requestId: string): void {
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'x-request-id': requestId,
  });
  res.end(body);
}

// Writes `deltas` events `delay` ms apart after the preamble, then the tail. Stops if the client leaves.
function stream(res: http.ServerResponse, preamble: string, delta: (i: number) => string, tail: string, deltas: number, delay: number, requestId: string): void {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-request-id': requestId });
  res.write(preamble);
  let i = 0;
  let closed = false;
  res.on('close', () => { closed = true; });
  const step = (): void => {
    if (closed) return;
    if (i < deltas) {
      res.write(delta(i++));
      if (delay > 0) setTimeout(step, delay);
      else step();
    } else {
      res.end(tail);
    }
  };
  step();
}

function openaiChat(raw: string, res: http.ServerResponse): void {
  const body = JSON.parse(raw) as { model?: string; stream?: boolean; stream_options?: { include_usage?: boolean } };
  const id = `chatcmpl-bench${++seq}`;
  const model = body.model ?? 'gpt-4.1';
  if (!body.stream) {
    send(res, 200, `{"id":"${id}","object":"chat.completion","created":${CREATED},"model":"${model}","choices":[{"index":0,"message":{"role":"assistant","content":"Hello! The quick brown fox jumps over the lazy dog. How can I help you today?","refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":25,"completion_tokens":20,"total_tokens":45,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},"service_tier":"default","system_fingerprint":"fp_bench"}`, id);
    return;
  }
  const deltas = directive(raw, 'chunks', 20);
  const head = `data: {"id":"${id}","object":"chat.completion.chunk","created":${CREATED},"model":"${model}","system_fingerprint":"fp_bench","choices":[{"index":0,"delta":`;
  const usage = body.stream_options?.include_usage
    ? `data: {"id":"${id}","object":"chat.completion.chunk","created":${CREATED},"model":"${model}","system_fingerprint":"fp_bench","choices":[],"usage":{"prompt_tokens":25,"completion_tokens":${deltas},"total_tokens":${25 + deltas}}}\n\n`
    : '';
  stream(res,
    `${head}{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}]}\n\n`,
    (i) => `${head}{"content":" tok${i}"},"logprobs":null,"finish_reason":null}]}\n\n`,
    `${head}{},"logprobs":null,"finish_reason":"stop"}]}\n\n${usage}data: [DONE]\n\n`,
    deltas, directive(raw, 'delay', 1), id);
}

function anthropicMessages(raw: string, res: http.ServerResponse): void {
  const body = JSON.parse(raw) as { model?: string; stream?: boolean };
  const id = `msg_bench${++seq}`;
  const model = body.model ?? 'claude-sonnet-4-5';
  if (!body.stream) {
    send(res, 200, `{"id":"${id}","type":"message","role":"assistant","model":"${model}","content":[{"type":"text","text":"Hello! The quick brown fox jumps over the lazy dog. How can I help you today?"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":25,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":20,"service_tier":"standard"}}`, id);
    return;
  }
  const deltas = directive(raw, 'chunks', 20);
  stream(res,
    `event: message_start\ndata: {"type":"message_start","message":{"id":"${id}","type":"message","role":"assistant","model":"${model}","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1,"service_tier":"standard"}}}\n\n` +
      `event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n` +
      `event: ping\ndata: {"type": "ping"}\n\n`,
    (i) => `event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" tok${i}"}}\n\n`,
    `event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n` +
      `event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":${deltas}}}\n\n` +
      `event: message_stop\ndata: {"type":"message_stop"}\n\n`,
    deltas, directive(raw, 'delay', 1), id);
}

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const raw = Buffer.concat(chunks).toString('utf8');
    const path = req.url ?? '/';
    try {
      if (req.method === 'POST' && path.startsWith('/v1/chat/completions')) {
        if (req.headers.authorization !== OPENAI_KEY) return send(res, 401, '{"error":{"message":"Incorrect API key provided","type":"invalid_request_error","code":"invalid_api_key"}}', 'auth');
        return openaiChat(raw, res);
      }
      if (req.method === 'POST' && path.startsWith('/v1/messages')) {
        if (req.headers['x-api-key'] !== ANTHROPIC_KEY) return send(res, 401, '{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}', 'auth');
        return anthropicMessages(raw, res);
      }
      if (req.method === 'GET' && path.startsWith('/v1/models')) {
        return send(res, 200, '{"object":"list","data":[{"id":"gpt-4.1","object":"model","created":1744316542,"owned_by":"system"},{"id":"claude-sonnet-4-5","object":"model","created":1759104000,"owned_by":"anthropic"}]}', 'models');
      }
      send(res, 404, `{"error":{"message":"no route ${req.method} ${path}","type":"not_found"}}`, 'nf');
    } catch {
      send(res, 400, '{"error":{"message":"bad request body","type":"invalid_request_error"}}', 'bad');
    }
  });
});
// Load generators and proxies keep connections open for the whole run.
server.keepAliveTimeout = 120_000;
server.headersTimeout = 121_000;
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  const addr = server.address();
  process.stdout.write(`READY ${typeof addr === 'object' && addr ? addr.port : 0}\n`);
});
process.on('SIGTERM', () => process.exit(0));
