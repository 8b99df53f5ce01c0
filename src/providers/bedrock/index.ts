import type { ProviderConfig } from '../../config/config.ts';
import type { ResponseHeaders } from '../../dialects/dialect.ts';
import { GatewayError } from '../../dialects/gateway-error.ts';
import { upstreamHeaders, usesProviderCredential } from '../../proxy/headers.ts';
import type { ProviderAdapter, ResponsePlan, UpstreamCall, UpstreamRequest } from '../adapter.ts';
import { bedrockBaseId } from '../../routing/bedrock-ids.ts';
import type { ProviderRuntime } from '../registry.ts';
import { cloudMessagesBody, headerValue } from '../claude-body.ts';
import { errorTypeOf, mapBedrockError } from './errors.ts';
import { reframeToAnthropicSse } from './reframe.ts';
import { createSigV4, type SigV4 } from './signer.ts';

// AWS Bedrock Runtime (providers.md §1.5). Native callers (the AWS SDK, Claude Code in Bedrock mode,
// `/bedrock/model/{id}/…`) are forwarded as they are, re-signed; an Anthropic Messages caller is
// translated to InvokeModel(WithResponseStream) and its event-stream answer re-framed as Anthropic
// SSE; an OpenAI chat caller goes to Bedrock's OpenAI-compatible endpoint. Auth is a Bedrock API
// key (`apikey`, bearer) or SigV4 with static keys or the AWS credential chain.

const operations: Partial<Record<string, string>> = {
  'bedrock-invoke': 'invoke',
  'bedrock-invoke-stream': 'invoke-with-response-stream',
  'bedrock-converse': 'converse',
  'bedrock-converse-stream': 'converse-stream',
  'bedrock-count-tokens': 'count-tokens',
};

/** The ingress endpoints this adapter places: Bedrock's own, and the ones it translates below. */
export const bedrockServes: ReadonlySet<string> = new Set([...Object.keys(operations), 'anthropic-messages', 'anthropic-count-tokens', 'openai-chat']);

/** Bedrock's body field for Anthropic's API version (providers.md §1.5). */
const anthropicVersion = 'bedrock-2023-05-31';

/** The refusals a skewed clock causes; AWS's `Date` header then says the server's time. */
const skewErrors = new Set(['InvalidSignatureException', 'SignatureDoesNotMatch', 'RequestExpired', 'RequestTimeTooSkewed', 'RequestInTheFuture', 'AuthFailure']);
const expiredErrors = new Set(['ExpiredTokenException', 'ExpiredToken', 'TokenRefreshRequired']);

/** `us-east-1` from `https://bedrock-runtime.us-east-1.amazonaws.com`. */
export function regionOf(baseurl: string): string | undefined {
  return /^bedrock-runtime(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com$/.exec(new URL(baseurl).hostname)?.[1];
}

export function createBedrockAdapter(provider: ProviderConfig, runtime: ProviderRuntime): ProviderAdapter {
  const base = new URL(provider.baseurl);
  const prefix = base.pathname.replace(/\/+$/, '');
  const settings = provider.bedrock ?? {};
  const region = settings.region ?? regionOf(provider.baseurl) ?? 'us-east-1';
  // The signer (its credential cache and learned clock offset) outlives config reloads.
  const signerKey = `bedrock-sigv4:${region}:${settings.accessKeyId ?? ''}:${settings.secretAccessKey ?? ''}:${settings.sessionToken ?? ''}:${settings.profile ?? ''}`;
  const signer = (): SigV4 => runtime.shared(signerKey, () => createSigV4(settings, region));

  function translated(call: UpstreamCall): { path: string; body: Buffer; response?: ResponsePlan } {
    const model = encodeURIComponent(call.route.upstreamModel);
    const mapError = (status: number, headers: ResponseHeaders, body: Buffer) => mapBedrockError(provider.id, status, headers, body);
    switch (call.endpoint.id) {
      case 'anthropic-messages': {
        const body = cloudMessagesBody(call.text, call.json, { version: anthropicVersion, dropStream: true, betas: headerValue(call.rawHeaders, 'anthropic-beta') });
        if (!call.stream) return { path: `/model/${model}/invoke`, body, response: { mapError } };
        const reframe = { contentType: 'text/event-stream; charset=utf-8', wrap: reframeToAnthropicSse, applies: (type: string) => type.includes('application/vnd.amazon.eventstream') };
        return { path: `/model/${model}/invoke-with-response-stream`, body, response: { mapError, reframe } };
      }
      case 'anthropic-count-tokens': {
        // CountTokens takes the InvokeModel body as a blob and answers `{"inputTokens":N}`.
        const invoke = cloudMessagesBody(call.text, call.json, { version: anthropicVersion, dropStream: true, betas: headerValue(call.rawHeaders, 'anthropic-beta') });
        const body = Buffer.from(JSON.stringify({ input: { invokeModel: { body: invoke.toString('base64') } } }));
        const rewriteBody = (answer: Buffer): Buffer => {
          try {
            const parsed = JSON.parse(answer.toString('utf8')) as { inputTokens?: unknown };
            if (typeof parsed.inputTokens === 'number') return Buffer.from(JSON.stringify({ input_tokens: parsed.inputTokens }));
          } catch {
            // relayed as it came
          }
          return answer;
        };
        // CountTokens takes foundation-model ids only, not geography inference profiles (providers.md §1.5).
        return { path: `/model/${encodeURIComponent(bedrockBaseId(call.route.upstreamModel))}/count-tokens`, body, response: { mapError, rewriteBody } };
      }
      case 'openai-chat':
        // Bedrock's OpenAI-compatible Chat Completions endpoint: OpenAI's wire format both ways.
        return { path: '/openai/v1/chat/completions', body: call.body };
      default: {
        const operation = operations[call.endpoint.id];
        if (!operation) throw new GatewayError('not_found', `model "${call.route.model}" is not served on ${call.path} by provider ${provider.id}`);
        return { path: `/model/${model}/${operation}`, body: call.body };
      }
    }
  }

  return {
    async prepare(call: UpstreamCall): Promise<UpstreamRequest> {
      const { path, body, response } = translated(call);
      const fullPath = `${prefix}${path}`;
      let credential = false;
      const headers = upstreamHeaders(call.rawHeaders, provider, body.length, call.grantHeaders, (out, caller) => {
        credential = usesProviderCredential(out, caller, provider);
      });
      if (response) {
        // A translated call: the Anthropic API's version and betas travel in the body on Bedrock.
        delete headers['anthropic-version'];
        delete headers['anthropic-beta'];
        headers.accept = 'application/json';
      }
      const contentType = 'application/json';
      headers['content-type'] = contentType;
      if (credential) {
        if (provider.apikey) headers.authorization = `Bearer ${provider.apikey}`; // a Bedrock API key
        else Object.assign(headers, await signer().sign(base, fullPath, { 'content-type': contentType }, body));
      }
      return { origin: base.origin, path: fullPath, headers, body, response };
    },

    retry(status: number, headers: ResponseHeaders): boolean {
      if (provider.apikey || status >= 500) return false;
      const type = errorTypeOf(headers);
      const sigv4 = signer();
      if (skewErrors.has(type)) {
        const date = headers.date;
        const server = Date.parse(Array.isArray(date) ? date[0] : date ?? '');
        if (!Number.isFinite(server)) return false;
        const offset = server - Date.now();
        // Only a real skew (AWS allows minutes); a wrong key signs wrong at any time.
        if (Math.abs(offset - sigv4.clockOffsetMs) < 60_000) return false;
        sigv4.clockOffsetMs = offset;
        return true;
      }
      if (expiredErrors.has(type) && sigv4.refreshable) {
        sigv4.refreshCredentials();
        return true;
      }
      return false;
    },
  };
}

