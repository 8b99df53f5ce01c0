// A fake Google: an OAuth token endpoint that verifies each JWT-bearer assertion's RS256 signature
// against the service account's public key (a key pair made for the test, never a real key), and
// a Vertex AI front end that accepts only the tokens it issued (or an Express API key) and answers
// GenerateContent, rawPredict and the OpenAI-compatible Chat Completions from the dialect fixtures
// (providers.md §1.6). It is also a Compute Engine metadata server (GCE_METADATA_HOST=host:port) that
// hands the attached service account's tokens to whoever sends `Metadata-Flavor: Google`, as on GKE.
import { generateKeyPairSync, verify, type KeyObject } from 'node:crypto';
import { fixture } from '../fake-upstream/fake-upstream.ts';
import { json, startFakeCloud, type CloudRequest, type FakeReply } from './fake-cloud.ts';

export type ServiceAccountKey = { type: 'service_account'; project_id: string; private_key_id: string; private_key: string; client_email: string; token_uri: string };

export type FakeVertex = {
  url: string;
  /** The key file to give the gateway (JSON), with this fake's token endpoint. */
  keyFile: ServiceAccountKey;
  publicKey: KeyObject;
  /** Token exchanges that succeeded, and every assertion the endpoint saw. */
  tokensIssued: string[];
  assertions: { ok: boolean; reason?: string; claims?: Record<string, unknown> }[];
  /** Token requests the metadata server answered (`/computeMetadata/v1/…/token`), with the scopes asked. */
  metadataTokens: { token: string; scopes: string | null }[];
  /** The metadata server's `host:port`, for GCE_METADATA_HOST. */
  metadataHost: string;
  /** Vertex API requests that carried a valid credential. */
  requests: (CloudRequest & { publisher: string; project?: string; region?: string; model: string; method: string; token?: string; apiKey?: string })[];
  /** 401s the API answered. */
  unauthorized: number;
  settings: {
    /** Lifetime of issued tokens. */
    expiresIn: number;
    /** Delay of the token endpoint (makes concurrent refreshes overlap). */
    tokenDelayMs: number;
    /** The token endpoint's clock minus real time. */
    clockOffsetMs: number;
  };
  revoke(token: string): void;
  close(): Promise<void>;
};

export const PROJECT = 'tailgate-test-project';
export const REGION = 'us-east5';

// What clients send: Aperture's placeholders for project and region, and no Google credential.
export const PLACEHOLDER_PROJECT = '_aperture_auto_vertex_project_id_';
export const PLACEHOLDER_REGION = '_aperture_auto_vertex_region_';
export const CLAUDE = 'claude-sonnet-4-5@20250929';

/** A Google auth client that never asks Google (nor a metadata server): the gateway holds the real credentials. */
export const placeholderAuth = { projectId: undefined, getRequestHeaders: async () => new Headers({ authorization: 'Bearer placeholder' }) };

export const geminiPath = (model: string, method: string, project = PLACEHOLDER_PROJECT, region = PLACEHOLDER_REGION) =>
  `/v1/projects/${project}/locations/${region}/publishers/google/models/${model}:${method}`;

function decode(part: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}

const unauthenticated = (): FakeReply =>
  json(401, { error: { code: 401, message: 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.', status: 'UNAUTHENTICATED' } });

export async function startFakeVertex(options: { expressKeys?: string[]; email?: string } = {}): Promise<FakeVertex> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const settings = { expiresIn: 3600, tokenDelayMs: 0, clockOffsetMs: 0 };
  const valid = new Set<string>();
  const tokensIssued: string[] = [];
  const assertions: FakeVertex['assertions'] = [];
  const requests: FakeVertex['requests'] = [];
  const metadataTokens: FakeVertex['metadataTokens'] = [];
  const expressKeys = new Set(options.expressKeys ?? []);
  const email = options.email ?? 'tailgate-gateway@tailgate-test-project.iam.gserviceaccount.com';
  let serial = 0;
  let unauthorized = 0;
  let url = '';

  function checkAssertion(assertion: string): { ok: boolean; reason?: string; claims?: Record<string, unknown> } {
    const parts = assertion.split('.');
    if (parts.length !== 3) return { ok: false, reason: 'not a JWT' };
    const header = decode(parts[0]);
    const claims = decode(parts[1]);
    if (header.alg !== 'RS256' || header.kid !== 'test-key-1') return { ok: false, reason: 'unexpected alg or kid', claims };
    if (!verify('RSA-SHA256', Buffer.from(`${parts[0]}.${parts[1]}`), publicKey, Buffer.from(parts[2], 'base64url'))) return { ok: false, reason: 'Invalid JWT Signature.', claims };
    if (claims.iss !== email || claims.aud !== `${url}/token` || claims.scope !== 'https://www.googleapis.com/auth/cloud-platform') return { ok: false, reason: 'wrong iss, aud or scope', claims };
    const now = (Date.now() + settings.clockOffsetMs) / 1000;
    const iat = Number(claims.iat);
    const exp = Number(claims.exp);
    // Google: "Token must be a short-lived token (60 minutes) and in a reasonable timeframe".
    if (!(exp - iat <= 3600) || iat > now + 60 || exp < now) return { ok: false, reason: 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.', claims };
    return { ok: true, claims };
  }

  function metadata(request: CloudRequest, path: string): FakeReply {
    const flavor = { 'metadata-flavor': 'Google' };
    if (request.headers['metadata-flavor'] !== 'Google') return { status: 403, headers: flavor, body: 'Missing required header: Metadata-Flavor' };
    if (path === '/computeMetadata/v1/instance' || path === '/computeMetadata/v1/instance/') return { status: 200, headers: { ...flavor, 'content-type': 'application/text' }, body: 'attributes/\nservice-accounts/\n' };
    if (path === '/computeMetadata/v1/project/project-id') return { status: 200, headers: { ...flavor, 'content-type': 'application/text' }, body: PROJECT };
    if (path === '/computeMetadata/v1/instance/service-accounts/default/token') {
      const token = `ya29.metadata-${++serial}`;
      valid.add(token);
      metadataTokens.push({ token, scopes: new URL(request.path, 'http://x').searchParams.get('scopes') });
      return json(200, { access_token: token, expires_in: settings.expiresIn, token_type: 'Bearer' }, flavor);
    }
    return { status: 404, headers: flavor, body: 'Not Found' };
  }

  const cloud = await startFakeCloud(async (request) => {
    const path = new URL(request.path, 'http://x').pathname;
    if (path.startsWith('/computeMetadata/')) return metadata(request, path);
    if (path === '/token') {
      if (settings.tokenDelayMs) await new Promise((resolve) => setTimeout(resolve, settings.tokenDelayMs));
      const form = new URLSearchParams(request.body.toString('utf8'));
      const date = { date: new Date(Date.now() + settings.clockOffsetMs).toUTCString() };
      if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') return json(400, { error: 'unsupported_grant_type' }, date);
      const verdict = checkAssertion(form.get('assertion') ?? '');
      assertions.push(verdict);
      if (!verdict.ok) return json(400, { error: 'invalid_grant', error_description: verdict.reason }, date);
      const token = `ya29.fake-${++serial}`;
      valid.add(token);
      tokensIssued.push(token);
      return json(200, { access_token: token, expires_in: settings.expiresIn, token_type: 'Bearer' }, date);
    }
    const m =
      /^\/v1\/(?:projects\/([^/]+)\/locations\/([^/]+)\/)?publishers\/(google|anthropic)\/models\/([^/:]+):([A-Za-z]+)$/.exec(path) ??
      /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/endpoints\/(openapi)\/(chat)\/(completions)$/.exec(path);
    if (!m) return json(404, { error: { code: 404, message: `no route ${path}`, status: 'NOT_FOUND' } });
    const authorization = String(request.headers.authorization ?? '');
    const apiKey = request.headers['x-goog-api-key'] as string | undefined;
    const token = authorization.startsWith('Bearer ') ? authorization.slice(7) : undefined;
    if (!(token && valid.has(token)) && !(apiKey && expressKeys.has(apiKey))) {
      unauthorized++;
      return unauthenticated();
    }
    const [, project, region, publisher, pathModel, method] = m;
    // The OpenAI-compatible endpoint names the model in the body, by publisher.
    const openapi = publisher === 'openapi';
    const body = (request.json ?? {}) as { stream?: boolean; anthropic_version?: string; model?: string };
    const model = openapi ? String(body.model ?? '') : pathModel;
    requests.push({ ...request, publisher, project, region, model: decodeURIComponent(model), method, token, apiKey });
    if (project !== undefined && (project !== PROJECT || region !== REGION)) {
      return json(403, { error: { code: 403, message: `Permission denied on resource project ${project}.`, status: 'PERMISSION_DENIED' } });
    }
    if (openapi && !model.startsWith('google/')) return json(400, [{ error: { code: 400, message: `Model ${model} is not supported: expected a publisher model such as google/gemini-2.5-flash.`, status: 'INVALID_ARGUMENT' } }]);
    if (model.replace(/^google\//, '').startsWith('quota')) return json(429, { error: { code: 429, message: 'Quota exceeded for aiplatform.googleapis.com/generate_content_requests_per_minute_per_project_per_base_model.', status: 'RESOURCE_EXHAUSTED' } }, { 'retry-after': '30' });
    if (openapi) return fixture('openai-chat', body.stream ? 'text.sse' : 'text.json').reply();
    if (publisher === 'google') {
      if (method === 'countTokens') return json(200, { totalTokens: 9 });
      const stream = method === 'streamGenerateContent';
      const sse = stream && request.path.includes('alt=sse');
      return fixture('gemini', sse ? 'text.sse' : stream ? 'text.json-array' : 'text.json').reply();
    }
    if (method === 'rawPredict' && model === 'count-tokens') return json(200, { input_tokens: 21 });
    // Anthropic's Vertex SDK moves its own version header into the body; the gateway writes vertex-2023-10-16.
    if (typeof body.anthropic_version !== 'string') return json(400, { type: 'error', error: { type: 'invalid_request_error', message: 'anthropic_version: Field required' } });
    if (body.model !== undefined) return json(400, { type: 'error', error: { type: 'invalid_request_error', message: 'model: Extra inputs are not permitted' } });
    return fixture('anthropic-messages', method === 'streamRawPredict' ? 'text.sse' : 'text.json').reply();
  });
  url = cloud.url;
  const keyFile: ServiceAccountKey = {
    type: 'service_account',
    project_id: PROJECT,
    private_key_id: 'test-key-1',
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    client_email: email,
    token_uri: `${url}/token`,
  };
  return {
    url,
    keyFile,
    publicKey,
    tokensIssued,
    metadataTokens,
    metadataHost: new URL(url).host,
    assertions,
    requests,
    get unauthorized() {
      return unauthorized;
    },
    settings,
    revoke: (token) => void valid.delete(token),
    close: cloud.close,
  };
}
