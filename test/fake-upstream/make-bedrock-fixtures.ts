// Generates the binary event-stream fixtures in src/dialects/bedrock/__fixtures__/ (Bedrock's
// InvokeModelWithResponseStream and ConverseStream wire shapes, providers.md §1.5) from the frame
// lists below. Deterministic; fake-upstream.test.ts checks the committed files still equal these.
//
//   ./node_modules/.bin/node test/fake-upstream/make-bedrock-fixtures.ts     rewrites the files
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chunkMessage, eventMessage, exceptionMessage } from './event-stream.ts';

export const BEDROCK_FIXTURE_DIR = fileURLToPath(new URL('../../src/dialects/bedrock/__fixtures__/', import.meta.url));

const model = 'claude-sonnet-4-5-20250929';
const messageStart = (input: number, cacheRead: number, cacheWrite: number) => ({
  type: 'message_start',
  message: {
    id: 'msg_bdrk_01XFDUDYJgAACzvnptvVoYEL',
    type: 'message',
    role: 'assistant',
    model,
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: { input_tokens: input, cache_creation_input_tokens: cacheWrite, cache_read_input_tokens: cacheRead, output_tokens: 1 },
  },
});
const text = (index: number, value: string) => ({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: value } });

export function makeBedrockFixtures(): Record<string, Buffer> {
  return {
    'invoke-stream-text.eventstream': Buffer.concat([
      chunkMessage(messageStart(12, 1800, 0), 'abcd'),
      chunkMessage({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }, 'abcdefgh'),
      chunkMessage(text(0, 'Hello from'), 'ab'),
      chunkMessage(text(0, ' Bedrock.'), 'abcdefghijklmnop'),
      chunkMessage({ type: 'content_block_stop', index: 0 }, 'abc'),
      chunkMessage({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 42 } }, 'abcdef'),
      chunkMessage(
        { type: 'message_stop', 'amazon-bedrock-invocationMetrics': { inputTokenCount: 12, outputTokenCount: 42, invocationLatency: 900, firstByteLatency: 300, cacheReadInputTokenCount: 1800, cacheWriteInputTokenCount: 0 } },
        'abcdefghi',
      ),
    ]),
    'invoke-stream-tool-use.eventstream': Buffer.concat([
      chunkMessage(messageStart(25, 0, 300), 'ab'),
      chunkMessage({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
      chunkMessage(text(0, 'Let me look.')),
      chunkMessage({ type: 'content_block_stop', index: 0 }),
      chunkMessage({ type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'toolu_bdrk_01A', name: 'Bash', input: {} } }),
      chunkMessage({ type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"command": "ls' } }),
      chunkMessage({ type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: ' -la"}' } }),
      chunkMessage({ type: 'content_block_stop', index: 1 }),
      chunkMessage({ type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 61 } }),
      chunkMessage({ type: 'message_stop', 'amazon-bedrock-invocationMetrics': { inputTokenCount: 25, outputTokenCount: 61, invocationLatency: 1200, firstByteLatency: 400 } }),
    ]),
    // Throttled after the first delta: the client has a 200 and a partial answer, the call is an upstream error.
    'invoke-stream-exception.eventstream': Buffer.concat([
      chunkMessage(messageStart(30, 0, 0)),
      chunkMessage({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
      chunkMessage(text(0, 'Partial')),
      exceptionMessage('throttlingException', 'Too many tokens, please wait before trying again.'),
    ]),
    // A non-Anthropic model (Llama): only Bedrock's invocation metrics carry the usage.
    'invoke-stream-metrics-only.eventstream': Buffer.concat([
      chunkMessage({ generation: 'Hello', prompt_token_count: 18, generation_token_count: 1, stop_reason: null }),
      chunkMessage({ generation: ' there.', prompt_token_count: null, generation_token_count: 3, stop_reason: 'stop', 'amazon-bedrock-invocationMetrics': { inputTokenCount: 18, outputTokenCount: 3, invocationLatency: 320, firstByteLatency: 110 } }),
    ]),
    'converse-stream-tool.eventstream': Buffer.concat([
      eventMessage('messageStart', { role: 'assistant' }, 'abcd'),
      eventMessage('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Let me check' } }, 'abcdefgh'),
      eventMessage('contentBlockStop', { contentBlockIndex: 0 }, 'ab'),
      eventMessage('contentBlockStart', { contentBlockIndex: 1, start: { toolUse: { toolUseId: 'tooluse_1', name: 'get_weather' } } }, 'abcdef'),
      eventMessage('contentBlockDelta', { contentBlockIndex: 1, delta: { toolUse: { input: '{"city":"Pa' } } }, 'abc'),
      eventMessage('contentBlockDelta', { contentBlockIndex: 1, delta: { toolUse: { input: 'ris"}' } } }, 'abcdefghijkl'),
      eventMessage('contentBlockStop', { contentBlockIndex: 1 }, 'a'),
      eventMessage('messageStop', { stopReason: 'tool_use' }, 'abcde'),
      eventMessage(
        'metadata',
        { usage: { inputTokens: 50, outputTokens: 20, totalTokens: 1270, cacheReadInputTokens: 1000, cacheWriteInputTokens: 200, cacheDetails: [{ ttl: '1h', inputTokens: 200 }] }, metrics: { latencyMs: 812 } },
        'abcdefghijklmnopq',
      ),
    ]),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const [name, bytes] of Object.entries(makeBedrockFixtures())) writeFileSync(join(BEDROCK_FIXTURE_DIR, name), bytes);
}
