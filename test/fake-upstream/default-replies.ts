// What the fake upstream answers when no reply is queued: a short, recognisable answer in each API's
// real shape (providers.md §1), so SDKs and coding-agent CLIs pointed at the gateway complete a turn.
// Usage is reported (input estimated from the body size) so the gateway's metering has work to do.
import type { FakeReply, RecordedRequest } from './fake-upstream.ts';

export const DEFAULT_TEXT = 'Hello from the fake upstream.';
const TEXT_PIECES = ['Hello from', ' the fake upstream.'];
const OUTPUT_TOKENS = 7;
const CREATED = 1764000000;

type Json = Record<string, unknown>;

let serial = 0;
const nextId = (prefix: string): string => `${prefix}${String(++serial).padStart(6, '0')}fake`;

const json = (status: number, body: unknown, headers: Record<string, string> = {}): FakeReply => ({
  status,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});
const sse = (chunks: string[], contentType = 'text/event-stream; charset=utf-8'): FakeReply => ({
  status: 200,
  headers: { 'content-type': contentType, 'cache-control': 'no-cache' },
  chunks,
});
const notFound = (request: RecordedRequest): FakeReply =>
  json(404, { error: { message: `fake upstream: no route for ${request.method} ${request.path}`, type: 'not_found_error', code: 'not_found' } });

/** Rough stand-in for a tokenizer: about four bytes per token, never zero. */
const estimateTokens = (request: RecordedRequest): number => Math.max(1, Math.ceil(request.body.length / 4));

export function defaultReply(request: RecordedRequest): FakeReply {
  const url = new URL(request.path, 'http://fake.invalid');
  const body: Json = isJson(request.json) ? request.json : {};
  const path = url.pathname;
  if (request.method === 'GET') {
    if (path === '/v1/models') return request.headers['anthropic-version'] ? anthropicModels() : openaiModels();
    if (path === '/v1beta/models') return geminiModels();
    return notFound(request);
  }
  if (request.method !== 'POST') return notFound(request);
  switch (path) {
    case '/v1/messages':
      return anthropicMessage(body, estimateTokens(request));
    case '/v1/messages/count_tokens':
      return json(200, { input_tokens: estimateTokens(request) });
    case '/v1/chat/completions':
      return chatCompletion(body, estimateTokens(request));
    case '/v1/responses':
      return responsesReply(body, estimateTokens(request));
    case '/v1/embeddings':
      return embeddings(body, estimateTokens(request));
  }
  const gemini = /^\/(v1|v1beta)\/models\/([^/:]+):(generateContent|streamGenerateContent|countTokens)$/.exec(path);
  if (gemini) return geminiReply(decodeURIComponent(gemini[2]), gemini[3], url.searchParams.get('alt'), estimateTokens(request));
  return notFound(request);
}

function isJson(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function modelOf(body: Json, fallback: string): string {
  return typeof body.model === 'string' ? body.model : fallback;
}

// ---- Anthropic Messages (§1.3)

function anthropicMessage(body: Json, inputTokens: number): FakeReply {
  const model = modelOf(body, 'claude-sonnet-4-5');
  const id = nextId('msg_01');
  const usage = { input_tokens: inputTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 }, output_tokens: OUTPUT_TOKENS, service_tier: 'standard' };
  const headers = { 'request-id': nextId('req_011') };
  if (body.stream !== true) {
    return json(200, { model, id, type: 'message', role: 'assistant', content: [{ type: 'text', text: DEFAULT_TEXT }], stop_reason: 'end_turn', stop_sequence: null, usage }, headers);
  }
  const event = (type: string, data: Json): string => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  const reply = sse([
    event('message_start', { message: { model, id, type: 'message', role: 'assistant', content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } } }),
    event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
    'event: ping\ndata: {"type": "ping"}\n\n',
    ...TEXT_PIECES.map((text) => event('content_block_delta', { index: 0, delta: { type: 'text_delta', text } })),
    event('content_block_stop', { index: 0 }),
    event('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { input_tokens: inputTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: OUTPUT_TOKENS } }),
    event('message_stop', {}),
  ]);
  return { ...reply, headers: { ...reply.headers, ...headers } };
}

function anthropicModels(): FakeReply {
  const data = [
    { type: 'model', id: 'claude-sonnet-4-5-20250929', display_name: 'Claude Sonnet 4.5', created_at: '2025-09-29T00:00:00Z' },
    { type: 'model', id: 'claude-haiku-4-5-20251001', display_name: 'Claude Haiku 4.5', created_at: '2025-10-01T00:00:00Z' },
  ];
  return json(200, { data, has_more: false, first_id: data[0].id, last_id: data[data.length - 1].id });
}

// ---- OpenAI Chat Completions (§1.1) and Embeddings

function chatCompletion(body: Json, promptTokens: number): FakeReply {
  const model = modelOf(body, 'gpt-4.1');
  const id = nextId('chatcmpl-');
  const usage = { prompt_tokens: promptTokens, completion_tokens: OUTPUT_TOKENS, total_tokens: promptTokens + OUTPUT_TOKENS, prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 } };
  const headers = { 'x-request-id': nextId('req_') };
  if (body.stream !== true) {
    return json(200, { id, object: 'chat.completion', created: CREATED, model, choices: [{ index: 0, message: { role: 'assistant', content: DEFAULT_TEXT, refusal: null, annotations: [] }, logprobs: null, finish_reason: 'stop' }], usage, service_tier: 'default', system_fingerprint: 'fp_fake' }, headers);
  }
  // The usage chunk exists only when asked for; then every other chunk carries "usage":null (§1.1).
  const withUsage = isJson(body.stream_options) && body.stream_options.include_usage === true;
  const chunk = (choices: unknown[], extra: Json = {}): string =>
    `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: CREATED, model, system_fingerprint: 'fp_fake', choices, ...(withUsage ? { usage: null } : {}), ...extra })}\n\n`;
  const chunks = [
    chunk([{ index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null }]),
    ...TEXT_PIECES.map((content) => chunk([{ index: 0, delta: { content }, logprobs: null, finish_reason: null }])),
    chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }]),
  ];
  if (withUsage) chunks.push(chunk([], { usage }));
  chunks.push('data: [DONE]\n\n');
  const reply = sse(chunks);
  return { ...reply, headers: { ...reply.headers, ...headers } };
}

function embeddings(body: Json, promptTokens: number): FakeReply {
  const input = body.input;
  // A string or a token array is one input; an array of strings or token arrays is several.
  const count = Array.isArray(input) && input.length > 0 && typeof input[0] !== 'number' ? input.length : 1;
  const dimensions = typeof body.dimensions === 'number' ? body.dimensions : 8;
  const data = Array.from({ length: count }, (_, index) => {
    const vector = Array.from({ length: dimensions }, (_, i) => Math.round(Math.sin(index * 31 + i + 1) * 1e6) / 1e6);
    // The openai SDK asks for base64 by default and decodes little-endian float32.
    const embedding = body.encoding_format === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
    return { object: 'embedding', index, embedding };
  });
  return json(200, { object: 'list', data, model: modelOf(body, 'text-embedding-3-small'), usage: { prompt_tokens: promptTokens, total_tokens: promptTokens } }, { 'x-request-id': nextId('req_') });
}

function openaiModels(): FakeReply {
  const data = ['gpt-4.1', 'gpt-5', 'text-embedding-3-small'].map((id) => ({ id, object: 'model', created: CREATED, owned_by: 'system' }));
  return json(200, { object: 'list', data });
}

// ---- OpenAI Responses (§1.2): no [DONE]; the terminal event carries usage.

function responsesReply(body: Json, inputTokens: number): FakeReply {
  const model = modelOf(body, 'gpt-5');
  const id = nextId('resp_');
  const msgId = nextId('msg_');
  const part = { type: 'output_text', annotations: [], logprobs: [], text: DEFAULT_TEXT };
  const message = { id: msgId, type: 'message', status: 'completed', content: [part], role: 'assistant' };
  const usage = { input_tokens: inputTokens, input_tokens_details: { cached_tokens: 0 }, output_tokens: OUTPUT_TOKENS, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: inputTokens + OUTPUT_TOKENS };
  const response = { id, object: 'response', created_at: CREATED, status: 'in_progress', error: null, incomplete_details: null, model, output: [] as unknown[], usage: null as unknown, store: body.store !== false, metadata: {} };
  const done = { ...response, status: 'completed', output: [message], usage };
  const headers = { 'x-request-id': nextId('req_') };
  if (body.stream !== true) return json(200, done, headers);
  let seq = 0;
  const event = (type: string, data: Json): string => `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...data })}\n\n`;
  const at = { item_id: msgId, output_index: 0, content_index: 0 };
  const reply = sse([
    event('response.created', { response }),
    event('response.in_progress', { response }),
    event('response.output_item.added', { output_index: 0, item: { ...message, status: 'in_progress', content: [] } }),
    event('response.content_part.added', { ...at, part: { ...part, text: '' } }),
    ...TEXT_PIECES.map((delta) => event('response.output_text.delta', { ...at, delta, logprobs: [] })),
    event('response.output_text.done', { ...at, text: DEFAULT_TEXT, logprobs: [] }),
    event('response.content_part.done', { ...at, part }),
    event('response.output_item.done', { output_index: 0, item: message }),
    event('response.completed', { response: done }),
  ]);
  return { ...reply, headers: { ...reply.headers, ...headers } };
}

// ---- Gemini (§1.4): alt=sse is CRLF-framed SSE; without it, one pretty-printed JSON array.

function geminiReply(model: string, method: string, alt: string | null, promptTokens: number): FakeReply {
  const jsonType = 'application/json; charset=UTF-8';
  if (method === 'countTokens') {
    return { status: 200, headers: { 'content-type': jsonType }, body: JSON.stringify({ totalTokens: promptTokens, promptTokensDetails: [{ modality: 'TEXT', tokenCount: promptTokens }] }, null, 2) + '\n' };
  }
  const responseId = nextId('fakeResp');
  const usage = (candidates: number) => ({ promptTokenCount: promptTokens, candidatesTokenCount: candidates, totalTokenCount: promptTokens + candidates, promptTokensDetails: [{ modality: 'TEXT', tokenCount: promptTokens }] });
  const chunk = (text: string, candidates: number, finish: boolean) => ({
    candidates: [{ content: { parts: [{ text }], role: 'model' }, ...(finish ? { finishReason: 'STOP' } : {}), index: 0 }],
    usageMetadata: usage(candidates),
    modelVersion: model,
    responseId,
  });
  if (method === 'generateContent') {
    return { status: 200, headers: { 'content-type': jsonType }, body: JSON.stringify(chunk(DEFAULT_TEXT, OUTPUT_TOKENS, true), null, 2) + '\n' };
  }
  const chunks = [chunk(TEXT_PIECES[0], 3, false), chunk(TEXT_PIECES[1], OUTPUT_TOKENS, true)];
  if (alt === 'sse') return sse(chunks.map((c) => `data: ${JSON.stringify(c)}\r\n\r\n`), 'text/event-stream');
  const elements = chunks.map((c) => JSON.stringify(c, null, 2));
  return { status: 200, headers: { 'content-type': jsonType }, chunks: [`[${elements[0]}\n`, ...elements.slice(1).map((e) => `,\r\n${e}\n`), ']'] };
}

function geminiModels(): FakeReply {
  const models = [
    { name: 'models/gemini-2.5-flash', displayName: 'Gemini 2.5 Flash', inputTokenLimit: 1048576, outputTokenLimit: 65536, supportedGenerationMethods: ['generateContent', 'countTokens'] },
    { name: 'models/gemini-2.5-pro', displayName: 'Gemini 2.5 Pro', inputTokenLimit: 1048576, outputTokenLimit: 65536, supportedGenerationMethods: ['generateContent', 'countTokens'] },
  ];
  return { status: 200, headers: { 'content-type': 'application/json; charset=UTF-8' }, body: JSON.stringify({ models }, null, 2) + '\n' };
}
