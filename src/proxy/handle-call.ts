import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import { mayUseModel, type AccessPolicy } from '../access/access.ts';
import type { Config } from '../config/config.ts';
import type { Endpoint } from '../dialects/dialect.ts';
import { GatewayError } from '../dialects/gateway-error.ts';
import { requestView } from '../identity/request-view.ts';
import type { IdentityResolver } from '../identity/resolver.ts';
import { costOf } from '../metering/pricing.ts';
import { createTap, type Framing } from '../metering/tap.ts';
import { upstreamUrl } from '../providers/upstream-url.ts';
import { classifyAgent } from '../recording/agent.ts';
import type { CallCapture, CallRecord, Outcome, Recorder } from '../recording/call-record.ts';
import { sessionOf } from '../recording/session.ts';
import type { Catalog, Route } from '../routing/catalog.ts';
import type { Ingress } from './endpoints.ts';
import { replacePathModel } from './endpoints.ts';
import { clientHeaders, upstreamHeaders, upstreamQuery } from './headers.ts';
import { requestStreamUsage, setProperty } from './json-edit.ts';
import { readBody } from './read-body.ts';
import { relayResponse } from './relay-response.ts';
import { sendError } from './send-error.ts';

/** What a call needs from the running gateway; everything but the dispatcher and recorder changes on reload. */
export type CallDeps = {
  config: Config;
  catalog: Catalog;
  dispatcher: Dispatcher;
  recorder: Recorder;
  identity: IdentityResolver;
  access: AccessPolicy;
  /** Bytes of each body kept for the call's capture; 0 = no captures (zero retention). */
  captureMaxBytes: number;
};

/** A call's request, parsed once. */
type Parsed = { body: Buffer; json: Record<string, unknown>; text: string; model: string; stream: boolean };

function parseRequest(request: IncomingMessage, body: Buffer, ingress: Ingress): Parsed {
  const contentType = request.headers['content-type'];
  if (contentType !== undefined && !/^application\/(?:[\w.+-]*\+)?json\b/i.test(contentType)) {
    throw new GatewayError('invalid_request', `content-type must be application/json, got ${contentType.split(';')[0]}`, { status: 415 });
  }
  const text = body.toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new GatewayError('invalid_request', `request body is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new GatewayError('invalid_request', 'request body must be a JSON object');
  const object = json as Record<string, unknown>;
  const model = ingress.pathModel ?? object.model;
  if (typeof model !== 'string' || model === '') throw new GatewayError('invalid_request', 'request body needs a "model" string');
  const { endpoint } = ingress;
  const stream = endpoint.stream === 'always' || (endpoint.stream === 'body-field' && object.stream === true);
  return { body, json: object, text, model, stream };
}

/** The upstream body: the client's bytes, edited only where the gateway must. */
function upstreamBody(parsed: Parsed, route: Route, endpoint: Endpoint): { body: Buffer; injectedUsage: boolean } {
  let text = parsed.text;
  let edited = false;
  if (endpoint.model === 'body-field' && route.upstreamModel !== parsed.model) {
    text = setProperty(text, ['model'], route.upstreamModel);
    edited = true;
  }
  const options = parsed.json.stream_options as { include_usage?: unknown } | undefined;
  const injectedUsage = endpoint.id === 'openai-chat' && parsed.stream && options?.include_usage !== true;
  if (injectedUsage) {
    text = requestStreamUsage(text, parsed.json);
    edited = true;
  }
  return { body: edited ? Buffer.from(text) : parsed.body, injectedUsage };
}

function framingOf(contentType: string | string[] | undefined, endpoint: Endpoint): Framing {
  const type = String(contentType ?? '');
  if (type.includes('text/event-stream')) return 'sse';
  return endpoint.id === 'gemini-stream' ? 'json-array' : 'json';
}

function upstreamFailure(error: unknown, provider: string): GatewayError {
  const code = (error as { code?: string }).code ?? '';
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return new GatewayError('upstream_timeout', `provider ${provider} did not answer in time`);
  }
  // The message names the provider by its config id, never its address or the cause's text.
  return new GatewayError('upstream_unreachable', `provider ${provider} is unreachable`);
}

function identityError(status: 401 | 403 | 503, message: string): GatewayError {
  return new GatewayError(status === 401 ? 'authentication' : status === 403 ? 'permission' : 'unavailable', message);
}

/**
 * One data-plane call: identify, read and parse the body, route by model within the caller's grants,
 * forward with the provider's credential, stream the answer back as it arrives while the tap meters
 * it, and record the call exactly once.
 */
export async function handleCall(request: IncomingMessage, response: ServerResponse, ingress: Ingress, deps: CallDeps, record: CallRecord): Promise<void> {
  const { endpoint } = ingress;
  const abort = new AbortController();
  const header = (name: string) => request.headers[name] as string | undefined;
  let finished = false;
  let route: Route | undefined;
  let tap: ReturnType<typeof createTap> | undefined;
  let parsed: Parsed | undefined;
  let capture: CallCapture | undefined;

  /** Completes the record once and hands it to the recorder; resolves when it is durable. */
  function finish(outcome: Outcome, status: number, errorKind?: string): Promise<void> {
    if (finished) return Promise.resolve();
    finished = true;
    record.endedAt = Date.now();
    record.status = status;
    record.outcome = outcome;
    record.errorKind = errorKind;
    record.agent = classifyAgent(record.userAgent, header);
    record.sessionId = sessionOf(header, parsed?.json, record.login);
    if (tap) {
      // Whatever the tap saw counts, also for a cut or abandoned stream: the provider bills it.
      const facts = tap.facts();
      record.costUsd = costOf(facts.usage, route?.price);
      record.usage = facts.usage;
      record.toolCalls = facts.toolCalls;
      record.finishReason = facts.finishReason;
      record.responseModel = facts.model;
      if (facts.streamError && outcome === 'ok') {
        record.outcome = 'upstream_error';
        record.errorKind = facts.streamError;
      }
    }
    return deps.recorder.record(record, capture).catch(() => {}); // a failing journal must not fail the call
  }

  function fail(error: unknown): Promise<void> {
    const gatewayError = error instanceof GatewayError ? error : new GatewayError('internal', 'internal error');
    const denied = gatewayError.status === 401 || gatewayError.status === 403;
    const durable = finish(denied ? 'denied' : gatewayError.status < 500 ? 'client_error' : 'gateway_error', gatewayError.status, gatewayError.kind);
    return durable.then(() => sendError(response, endpoint.dialect, gatewayError, record.id));
  }

  // A client that leaves takes its upstream request with it, at once.
  response.on('close', () => {
    if (response.writableFinished) return;
    abort.abort();
    void finish('aborted', response.headersSent ? response.statusCode : 499, 'client_closed');
  });

  const resolution = await deps.identity.resolve(requestView(request));
  if (!resolution.ok) {
    request.resume();
    return fail(identityError(resolution.status, resolution.message));
  }
  const { identity } = resolution;
  record.login = identity.login;
  record.identitySource = identity.source;
  record.node = identity.node?.name;
  if (identity.tags.length > 0) record.tags = [...identity.tags];
  const access = deps.access.accessFor(identity);
  if (!access.role) {
    request.resume();
    return fail(new GatewayError('permission', 'access denied: no role granted'));
  }

  try {
    const body = await readBody(request, { maxBytes: deps.config.limits.maxBodyBytes, timeoutMs: deps.config.timeouts.requestBodyMs });
    record.bytesIn = body.length;
    parsed = parseRequest(request, body, ingress);
    record.model = parsed.model;
    record.stream = parsed.stream;
    const resolved = deps.catalog.resolve(parsed.model, endpoint, (entry) => mayUseModel(access, entry.provider.id, entry.model));
    if (!resolved.ok) {
      switch (resolved.reason) {
        case 'unknown-model':
          throw new GatewayError('not_found', `model "${parsed.model}" is not available through this gateway`);
        case 'wrong-endpoint':
          throw new GatewayError('not_found', `model "${parsed.model}" is not served on ${record.path}`);
        case 'forbidden':
          throw new GatewayError('permission', `access denied: model "${parsed.model}" is not granted to you`);
      }
    }
    route = resolved.route;
  } catch (error) {
    return fail(error);
  }

  const { provider } = route;
  record.provider = provider.id;
  record.upstreamModel = route.upstreamModel;
  if (route.price) record.costBasis = `${route.price.basis}/${route.price.model}`;
  const { body, injectedUsage } = upstreamBody(parsed, route, endpoint);
  const [path, search = ''] = (request.url ?? '/').split(/\?(.*)/s, 2);
  const upstreamPath = ingress.pathModel && route.upstreamModel !== parsed.model ? replacePathModel(path, route.upstreamModel) : path;
  const target = upstreamUrl(provider, upstreamPath, upstreamQuery(search ? `?${search}` : ''));

  let upstream: Dispatcher.ResponseData;
  try {
    record.overheadMs = Date.now() - record.startedAt;
    upstream = await deps.dispatcher.request({
      origin: target.origin,
      path: target.path,
      method: 'POST',
      headers: upstreamHeaders(request.rawHeaders, provider, body.length, access.addHeaders),
      body,
      signal: abort.signal,
      headersTimeout: deps.config.timeouts.headersMs,
      bodyTimeout: deps.config.timeouts.idleMs,
    });
  } catch (error) {
    if (abort.signal.aborted) return;
    return fail(upstreamFailure(error, provider.id));
  }

  const ok = upstream.statusCode >= 200 && upstream.statusCode < 300;
  const framing = framingOf(upstream.headers['content-type'], endpoint);
  const filter = ok && injectedUsage && framing === 'sse';
  tap = createTap(framing, endpoint.createReader({ injectedUsage }), { filter });
  const headers = clientHeaders(upstream.headers, { keepLength: !filter });
  headers['x-tailgate-request-id'] = record.id;
  if (deps.captureMaxBytes > 0) {
    capture = {
      requestHeaders: request.rawHeaders,
      requestBody: parsed.body.length <= deps.captureMaxBytes ? parsed.body : parsed.body.subarray(0, deps.captureMaxBytes),
      responseHeaders: headers,
      responseChunks: [],
      responseBytes: 0,
      truncated: parsed.body.length > deps.captureMaxBytes,
    };
  }
  response.writeHead(upstream.statusCode, headers);
  response.flushHeaders();
  const length = Number(headers['content-length']);
  relayResponse({
    source: upstream.body,
    response,
    tap,
    contentLength: headers['content-length'] !== undefined && Number.isFinite(length) ? length : undefined,
    capture,
    captureMaxBytes: deps.captureMaxBytes,
    onFirstByte: () => (record.firstByteAt = Date.now()),
    onBytes: (count) => (record.bytesOut += count),
    beforeComplete: (end) =>
      end.type === 'complete' ? finish(ok ? 'ok' : 'upstream_error', upstream.statusCode, ok ? undefined : 'upstream_status') : finish('upstream_error', upstream.statusCode, 'stream_cut'),
  });
}
