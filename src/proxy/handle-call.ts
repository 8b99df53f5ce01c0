import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import { mayUseModel, type AccessPolicy } from '../access/access.ts';
import type { Config } from '../config/config.ts';
import type { Endpoint, ResponseHeaders } from '../dialects/dialect.ts';
import { GatewayError } from '../dialects/gateway-error.ts';
import { requestView } from '../identity/request-view.ts';
import type { IdentityResolver } from '../identity/resolver.ts';
import { costOf } from '../metering/pricing.ts';
import { createTap, type Framing, type Tap } from '../metering/tap.ts';
import type { ProviderAdapter, UpstreamCall, UpstreamRequest } from '../providers/adapter.ts';
import { classifyAgent } from '../recording/agent.ts';
import type { CallRecord, Outcome } from '../recording/call-record.ts';
import type { CallCapture, Recorder } from '../recording/recorder.ts';
import { sessionOf } from '../recording/session.ts';
import type { Catalog, Route } from '../routing/catalog.ts';
import type { Ingress } from './endpoints.ts';
import { clientHeaders, upstreamQuery } from './headers.ts';
import { requestStreamUsage, setProperty } from './json-edit.ts';
import { decodeBody } from './decode-body.ts';
import { readBody } from './read-body.ts';
import { relayResponse } from './relay-response.ts';
import { sendError } from './send-error.ts';
import { UpstreamExchange, type UpstreamResponse } from './upstream-exchange.ts';

/** What a call needs from the running gateway; everything but the dispatcher and recorder changes on reload. */
export type CallDeps = {
  config: Config;
  catalog: Catalog;
  dispatcher: Dispatcher;
  recorder: Recorder;
  identity: IdentityResolver;
  access: AccessPolicy;
  /** One per provider id: where a call's bytes go and how they are authenticated. */
  adapters: ReadonlyMap<string, ProviderAdapter>;
  /** Bytes of each body kept for the call's capture; 0 = no captures (zero retention). */
  captureMaxBytes: number;
};

/** Error bodies read whole to be re-spelled in the caller's dialect; larger ones are cut. */
const maxErrorBodyBytes = 1024 * 1024;

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

function framingOf(type: string, endpoint: Endpoint): Framing {
  if (type.includes('text/event-stream')) return 'sse';
  if (type.includes('application/vnd.amazon.eventstream')) return 'aws-event-stream';
  return endpoint.id === 'gemini-stream' || endpoint.id === 'vertex-stream' ? 'json-array' : 'json';
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
  // Monotonic and finer than Date.now(): the gateway's own part is usually well under a millisecond.
  const arrived = performance.now();
  const { endpoint } = ingress;
  record.endpoint = endpoint.id;
  let exchange: UpstreamExchange | undefined; // the current attempt's request to the provider
  let clientGone = false;
  const header = (name: string) => request.headers[name] as string | undefined;
  let finished = false;
  let route: Route | undefined;
  let tap: Tap | undefined;
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
    // Every end() follows finish(), so an ended response is a finished call. (Not writableFinished:
    // an HTTP/2 compat response reports that as true once the client reset its stream.)
    if (response.writableEnded) return;
    clientGone = true;
    // Recorded first: cutting the exchange ends the relay at once, which would record a cut stream.
    void finish('aborted', response.headersSent ? response.statusCode : 499, 'client_closed');
    exchange?.abort(new Error('the client closed the connection'));
  });

  /**
   * The gateway's own headers on a relayed answer: the call's id (as in the store and the log), and
   * its overhead, the milliseconds from the request's arrival to its dispatch upstream (identity,
   * body, routing, grants, credentials), which the overhead histogram on /metrics counts too.
   */
  function tagResponse(headers: Record<string, string | string[]>): void {
    headers['x-tailgate-request-id'] = record.id;
    headers['x-tailgate-overhead-ms'] = String(record.overheadMs);
  }

  /** The call's capture (under the retention policy), with the response headers the client gets. */
  function startCapture(headers: Record<string, string | string[]>, whole?: Buffer): void {
    if (deps.captureMaxBytes <= 0 || !parsed) return;
    const max = deps.captureMaxBytes;
    capture = {
      requestHeaders: request.rawHeaders,
      requestBody: parsed.body.length <= max ? parsed.body : parsed.body.subarray(0, max),
      responseHeaders: headers,
      responseChunks: whole ? [whole.subarray(0, max)] : [],
      responseBytes: whole ? Math.min(whole.length, max) : 0,
      truncated: parsed.body.length > max || (whole !== undefined && whole.length > max),
    };
  }

  /**
   * A translated call's answer that cannot stream through: an error re-spelled in the caller's
   * dialect (with the upstream's status and retry-after), or a small body rewritten whole.
   */
  async function relayWhole(upstream: UpstreamResponse, plan: NonNullable<UpstreamRequest['response']>, ok: boolean): Promise<void> {
    let bytes: Buffer;
    try {
      bytes = await upstream.body.readAll(maxErrorBodyBytes);
    } catch {
      if (clientGone) return;
      return fail(new GatewayError('upstream_unreachable', `provider ${record.provider} closed the connection mid-answer`));
    }
    record.firstByteAt = Date.now();
    const status = upstream.statusCode;
    if (!ok) {
      const mapped = plan.mapError!(status, upstream.headers, bytes);
      if (mapped) {
        startCapture({ 'content-type': 'application/json' }, Buffer.from(endpoint.dialect.renderError(mapped)));
        await finish('upstream_error', status, 'upstream_status');
        return sendError(response, endpoint.dialect, mapped, record.id);
      }
    }
    const out = ok && plan.rewriteBody ? plan.rewriteBody(bytes) : bytes;
    if (ok) {
      tap = createTap('json', endpoint.createReader({ injectedUsage: false, headers: upstream.headers }), { filter: false });
      tap.push(out, () => {});
      tap.end(() => {});
    }
    const headers = clientHeaders(upstream.headers as ResponseHeaders, { keepLength: false });
    headers['content-length'] = String(out.length);
    tagResponse(headers);
    record.bytesOut = out.length;
    startCapture(headers, out);
    await finish(ok ? 'ok' : 'upstream_error', status, ok ? undefined : 'upstream_status');
    response.writeHead(status, headers).end(out);
  }

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
    const { maxBodyBytes } = deps.config.limits;
    const received = await readBody(request, { maxBytes: maxBodyBytes, timeoutMs: deps.config.timeouts.requestBodyMs });
    record.bytesIn = received.length;
    const encoding = request.headers['content-encoding'];
    parsed = parseRequest(request, encoding === undefined ? received : await decodeBody(received, encoding, maxBodyBytes), ingress);
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
  const adapter = deps.adapters.get(provider.id);
  if (!adapter) return fail(new GatewayError('internal', `provider ${provider.id} is not ready`));
  const { body, injectedUsage } = upstreamBody(parsed, route, endpoint);
  const [path, search = ''] = (request.url ?? '/').split(/\?(.*)/s, 2);
  const call: UpstreamCall = {
    endpoint,
    ingress,
    route,
    path,
    query: upstreamQuery(search ? `?${search}` : ''),
    rawHeaders: request.rawHeaders,
    grantHeaders: access.addHeaders,
    json: parsed.json,
    text: parsed.text,
    body,
    stream: parsed.stream,
  };

  let target: UpstreamRequest;
  let upstream: UpstreamResponse;
  // At most two attempts: a second only when the adapter can fix what the upstream refused
  // (an expired token, a skewed clock) by preparing the request afresh.
  for (let attempt = 0; ; attempt++) {
    try {
      const prepared = adapter.prepare(call);
      target = prepared instanceof Promise ? await prepared : prepared;
    } catch (error) {
      if (clientGone) return;
      return fail(error);
    }
    if (attempt === 0) record.overheadMs = Math.round((performance.now() - arrived) * 1000) / 1000;
    if (clientGone) return;
    try {
      exchange = new UpstreamExchange(deps.dispatcher, {
        origin: target.origin,
        path: target.path,
        method: 'POST',
        headers: target.headers,
        body: target.body,
        headersTimeout: deps.config.timeouts.headersMs,
        bodyTimeout: deps.config.timeouts.idleMs,
      });
      upstream = await exchange.response;
    } catch (error) {
      if (clientGone) return;
      return fail(upstreamFailure(error, provider.id));
    }
    if (attempt > 0 || upstream.statusCode < 400 || !adapter.retry?.(upstream.statusCode, upstream.headers, target)) break;
    await upstream.body.dump().catch(() => {});
  }

  const plan = target.response;
  const status = upstream.statusCode;
  const ok = status >= 200 && status < 300;
  if (plan && ((!ok && plan.mapError) || (ok && plan.rewriteBody))) {
    return relayWhole(upstream, plan, ok);
  }
  const contentType = String(upstream.headers['content-type'] ?? '');
  const reframe = ok && plan?.reframe?.applies(contentType) ? plan.reframe : undefined;
  const framing = reframe ? 'sse' : framingOf(contentType, endpoint);
  const filter = ok && injectedUsage && framing === 'sse';
  const sseTap: Tap = createTap(framing, endpoint.createReader({ injectedUsage, headers: upstream.headers }), { filter });
  tap = reframe ? reframe.wrap(sseTap) : sseTap;
  const headers = clientHeaders(upstream.headers, { keepLength: !filter && !reframe });
  if (reframe) headers['content-type'] = reframe.contentType;
  tagResponse(headers);
  startCapture(headers);
  response.writeHead(upstream.statusCode, headers);
  // A stream's client sees the status at once; a sized body's headers leave with its bytes, one write.
  if (headers['content-length'] === undefined) response.flushHeaders();
  const length = Number(headers['content-length']);
  relayResponse({
    source: upstream.body,
    response,
    tap,
    contentLength: headers['content-length'] !== undefined && Number.isFinite(length) ? length : undefined,
    capture,
    captureMaxBytes: deps.captureMaxBytes,
    captureSent: reframe !== undefined,
    onFirstByte: () => (record.firstByteAt = Date.now()),
    onBytes: (count) => (record.bytesOut += count),
    beforeComplete: (end) =>
      end.type === 'complete' ? finish(ok ? 'ok' : 'upstream_error', upstream.statusCode, ok ? undefined : 'upstream_status') : finish('upstream_error', upstream.statusCode, 'stream_cut'),
  });
}
