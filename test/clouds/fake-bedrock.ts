// A fake Bedrock Runtime: verifies every request's SigV4 signature with the independent verifier (or
// a Bedrock API key), against its own clock, and answers in Bedrock's wire formats — JSON, and
// binary event-streams written in pieces that cut frames apart (providers.md §1.5).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { json, pieces, startFakeCloud, type CloudRequest, type FakeCloud, type FakeReply } from './fake-cloud.ts';
import { verifySigV4, type AwsSecret } from './sigv4-verify.ts';

const fixtures = fileURLToPath(new URL('../../src/dialects/bedrock/__fixtures__/', import.meta.url));
export const bedrockFixture = (name: string) => readFileSync(join(fixtures, name));
export const bedrockExpected = (name: string) => JSON.parse(readFileSync(join(fixtures, `${name}.expected.json`), 'utf8')) as { usage: Record<string, number>; headers: Record<string, string>; status: number };

export type BedrockRequest = CloudRequest & { operation: string; modelId: string; auth: 'sigv4' | 'bearer'; accessKeyId?: string };

export type FakeBedrock = Omit<FakeCloud, 'requests' | 'queue'> & {
  requests: BedrockRequest[];
  /** Replies for the next authenticated requests, before the defaults (undefined: use the default). */
  queue: ((request: BedrockRequest) => FakeReply | undefined)[];
  /** Requests refused (bad signature, skew, expired token), newest last. */
  refused: { path: string; type: string }[];
  /** The fake's clock; tests move it to make the gateway's clock look skewed. */
  clock: { offsetMs: number };
  secrets: Map<string, AwsSecret>;
};

export function bedrockError(status: number, type: string, message: string, headers: Record<string, string> = {}): FakeReply {
  return json(status, { message }, { 'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`, 'x-amzn-requestid': 'fake-req', ...headers });
}

/** The default answers, per operation, from the committed fixtures. */
export function defaultBedrockReply(request: BedrockRequest): FakeReply {
  const fixture = (name: string, split: number | undefined): FakeReply => {
    const expected = bedrockExpected(name);
    const bytes = bedrockFixture(name);
    return split ? { status: expected.status, headers: expected.headers, chunks: pieces(bytes, split) } : { status: expected.status, headers: expected.headers, body: bytes };
  };
  switch (request.operation) {
    case 'invoke':
      return fixture('invoke.json', undefined);
    case 'invoke-with-response-stream':
      // 61-byte pieces: nearly every frame arrives in two or more TCP reads.
      return fixture('invoke-stream-text.eventstream', 61);
    case 'converse':
      return fixture('converse.json', undefined);
    case 'converse-stream':
      return fixture('converse-stream-tool.eventstream', 61);
    case 'count-tokens':
      return json(200, { inputTokens: 21 });
    case 'openai-chat':
      return json(200, {
        id: 'chatcmpl-bdrk',
        object: 'chat.completion',
        created: 1764690000,
        model: request.modelId,
        choices: [{ index: 0, message: { role: 'assistant', content: 'Hello from Bedrock (OpenAI).' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 },
      });
    default:
      return bedrockError(404, 'UnknownOperationException', `unknown operation ${request.operation}`);
  }
}

export async function startFakeBedrock(options: { secrets?: Record<string, AwsSecret>; apiKeys?: string[]; region?: string } = {}): Promise<FakeBedrock> {
  const clock = { offsetMs: 0 };
  const now = () => Date.now() + clock.offsetMs;
  const secrets = new Map(Object.entries(options.secrets ?? {}));
  const apiKeys = new Set(options.apiKeys ?? []);
  const refused: FakeBedrock['refused'] = [];
  const requests: BedrockRequest[] = [];
  const queue: FakeBedrock['queue'] = [];
  const cloud = await startFakeCloud(
    (request) => {
      const route = /^\/model\/([^/]+)\/([a-z-]+)$/.exec(request.path) ?? (request.path === '/openai/v1/chat/completions' ? [request.path, '', 'openai-chat'] : null);
      const bedrock: BedrockRequest = { ...request, operation: route?.[2] ?? '', modelId: route ? decodeURIComponent(route[1]) : '', auth: 'sigv4' };
      const authorization = String(request.headers.authorization ?? '');
      if (authorization.startsWith('Bearer ')) {
        if (!apiKeys.has(authorization.slice(7))) {
          refused.push({ path: request.path, type: 'UnrecognizedClientException' });
          return bedrockError(403, 'UnrecognizedClientException', 'Invalid API Key format: Must start with pre-defined prefix');
        }
        bedrock.auth = 'bearer';
      } else {
        const verdict = verifySigV4(request, secrets, { service: 'bedrock', region: options.region ?? 'us-east-1', now: now() });
        if (!verdict.ok) {
          refused.push({ path: request.path, type: verdict.type });
          return bedrockError(verdict.status, verdict.type, verdict.message);
        }
        bedrock.accessKeyId = verdict.accessKeyId;
      }
      if (bedrock.modelId === '' && bedrock.operation !== 'openai-chat') return bedrockError(404, 'ResourceNotFoundException', 'no such path');
      requests.push(bedrock);
      const queued = queue.shift()?.(bedrock);
      if (queued) return queued;
      if (bedrock.modelId.startsWith('missing.')) return bedrockError(400, 'ValidationException', 'The provided model identifier is invalid.');
      return defaultBedrockReply(bedrock);
    },
    { date: now },
  );
  return { url: cloud.url, close: cloud.close, requests, queue, refused, clock, secrets };
}
