// Generates src/dialects/openai-chat/__fixtures__/long.sse: an OpenAI chat stream of exactly 1000
// content chunks, then the finish chunk, the include_usage chunk and [DONE]. Long streams find
// bugs that short ones hide (per-chunk allocations, buffers that only grow, backpressure), and a
// committed file lets every test replay the same bytes. Deterministic: no clock, no randomness.
//
//   ./node_modules/.bin/node test/fake-upstream/make-long-fixture.ts     rewrites the file
//
// fake-upstream.test.ts checks the committed file still equals makeLongFixture().
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const LONG_CONTENT_CHUNKS = 1000;
export const LONG_FIXTURE_PATH = fileURLToPath(new URL('../../src/dialects/openai-chat/__fixtures__/long.sse', import.meta.url));

const WORDS = ['The', ' quick', ' brown', ' fox', ' jumps', ' over', ' the', ' lazy', ' dog', '.', '\n'];
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

// OpenAI pads every chunk with a random-length `obfuscation` string; a fixed pattern stands in for it.
function obfuscation(i: number): string {
  let out = '';
  for (let k = 0; k < 2 + (i * 7) % 13; k++) out += ALPHABET[(i * 31 + k * 17) % ALPHABET.length];
  return out;
}

export function makeLongFixture(): string {
  const head = '{"id":"chatcmpl-CkL0ngStr3amF1xtur3000Chunks","object":"chat.completion.chunk","created":1764682000,"model":"gpt-4.1-2025-04-14","service_tier":"default","system_fingerprint":"fp_b3f1157249",';
  const event = (rest: string, i: number): string => `data: ${head}${rest},"obfuscation":"${obfuscation(i)}"}\n\n`;
  let out = event('"choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null', 0);
  for (let i = 0; i < LONG_CONTENT_CHUNKS; i++) {
    const content = JSON.stringify(WORDS[i % WORDS.length]);
    out += event(`"choices":[{"index":0,"delta":{"content":${content}},"logprobs":null,"finish_reason":null}],"usage":null`, i + 1);
  }
  out += event('"choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null', LONG_CONTENT_CHUNKS + 1);
  out += event('"choices":[],"usage":{"prompt_tokens":24,"completion_tokens":1000,"total_tokens":1024,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}', LONG_CONTENT_CHUNKS + 2);
  return out + 'data: [DONE]\n\n';
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(LONG_FIXTURE_PATH, makeLongFixture());
  console.log(`wrote ${LONG_FIXTURE_PATH}`);
}
