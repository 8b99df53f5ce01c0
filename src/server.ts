import { randomUUID, randomUUIDv7 } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from './config/config.ts';
import { defaultConfigDocument, loadConfigFile, loadConfigObject, type Environment } from './config/load.ts';
import type { Dialect } from './dialects/dialect.ts';
import { GatewayError } from './dialects/gateway-error.ts';
import { bedrockDialect } from './dialects/bedrock/errors.ts';
import { anthropicDialect } from './dialects/anthropic-messages/errors.ts';
import { geminiDialect } from './dialects/gemini/index.ts';
import { openaiDialect } from './dialects/openai-chat/index.ts';
import { handleCall, type CallDeps } from './proxy/handle-call.ts';
import { matchIngress } from './proxy/endpoints.ts';
import { createUpstreamDispatcher } from './proxy/upstream-agent.ts';
import { serveH2c } from './proxy/h2c.ts';
import { listInferenceProfiles } from './proxy/list-inference-profiles.ts';
import { answerModels, modelsPath } from './proxy/list-models.ts';
import { sendError } from './proxy/send-error.ts';
import type { CallRecord } from './recording/call-record.ts';
import type { Recorder } from './recording/recorder.ts';
import { MemoryRecorder } from './recording/memory-recorder.ts';
import { buildPricedCatalog, type Catalog, type CatalogEntry } from './routing/catalog.ts';
import { createAdapters, createProviderRuntime, type ProviderRuntime } from './providers/registry.ts';
import { createLogger } from './logger.ts';
import { createServer } from './node-http.ts';
import { openRecording } from './recording/open-recording.ts';
import { createAccessPolicy, mayUseModel } from './access/access.ts';
import { createIdentityResolver } from './identity/resolver.ts';
import { requestView } from './identity/request-view.ts';
import { whoami } from './admin/whoami.ts';
import { handleUsageApi } from './admin/usage-api.ts';
import { handleAdminApi } from './admin/admin-api.ts';
import { createConfigEditor } from './admin/config-editor.ts';
import { createCallMetrics } from './admin/call-metrics.ts';
import { sendMetrics } from './admin/metrics.ts';
import { serveUi } from './admin/serve-ui.ts';
import type { WriterStats } from './recording/writer.ts';
import type { Store } from './store/store.ts';

/** The running gateway's state; replaced whole on config reload so a call sees one consistent config. */
export type Gateway = {
  handle(request: IncomingMessage, response: ServerResponse): void;
  /** Takes effect once the new models' prices are looked up; configs take effect in the order given. */
  setConfig(config: Config): Promise<void>;
  close(): Promise<void>;
};

function newRecord(request: IncomingMessage): CallRecord {
  const now = Date.now();
  return {
    // Time-ordered (UUIDv7): new ids land at the end of the store's indexes, which keeps ingest fast at millions of calls.
    id: randomUUIDv7(),
    startedAt: now,
    endedAt: now,
    overheadMs: 0,
    method: request.method ?? 'GET',
    path: (request.url ?? '/').split('?')[0],
    userAgent: request.headers['user-agent'],
    stream: false,
    status: 0,
    outcome: 'ok',
    usage: {},
    toolCalls: [],
    bytesIn: 0,
    bytesOut: 0,
  };
}

/**
 * The dialect of the gateway's own answers outside a call (unknown paths, `/v1/models`, `/api/*`): the
 * one the path looks like; under `/v1/`, Gemini's for a request with the `x-goog-` headers
 * @google/genai sends, Anthropic's for one with `anthropic-version`, which every Anthropic client sends.
 */
function dialectFor(path: string, request: IncomingMessage): Dialect {
  if (path.startsWith('/v1beta/')) return geminiDialect;
  if (path.startsWith('/bedrock/') || isInferenceProfiles(path)) return bedrockDialect;
  if (!path.startsWith('/v1/')) return openaiDialect;
  const { headers } = request;
  if (headers['x-goog-api-key'] !== undefined || headers['x-goog-api-client'] !== undefined) return geminiDialect;
  return headers['anthropic-version'] !== undefined ? anthropicDialect : openaiDialect;
}

/** Bedrock's ListInferenceProfiles, under the Bedrock base URL Claude Code is given (or the gateway's own). */
const isInferenceProfiles = (path: string) => path === '/bedrock/inference-profiles' || path === '/inference-profiles';

/** Everything derived from one config; rebuilt whole on reload (provider caches live in `runtime`). */
function derive(config: Config, runtime: ProviderRuntime, catalog: Catalog) {
  return {
    config,
    catalog,
    adapters: createAdapters(config.providers, runtime),
    identity: createIdentityResolver(config.identity),
    access: createAccessPolicy({ grants: config.grants, tempGrants: config.tempGrants, groups: config.groups, capability: config.identity.tailscale.capability }),
    captureMaxBytes: config.storage.captureMaxBytes,
  };
}

/** What the control plane (config editor, web UI) needs to know about where the config comes from. */
export type ControlPlaneOptions = {
  /** The config file the gateway runs on; without one, the first save creates `<data_dir>/tailgate.hujson`. */
  configPath?: string;
  /** For `${ENV}` substitution when a saved config is validated. */
  env?: Environment;
  /** The text shown in the editor while there is no file (default: the built-in default config). */
  defaultText?: () => string;
  /** Told after a config saved through the API took effect (serve.ts keeps its own copy current). */
  onApplied?: (config: Config) => void;
  /** The recording pipeline's health, for `/metrics`; absent when calls are not stored. */
  recordingStats?: () => WriterStats;
};

export async function createGateway(initial: Config, sink: Recorder, store?: Store, control: ControlPlaneOptions = {}): Promise<Gateway> {
  const initialCatalog = await buildPricedCatalog(initial);
  const callMetrics = createCallMetrics();
  const recorder: Recorder = {
    record(call, capture) {
      void callMetrics.record(call);
      return sink.record(call, capture);
    },
  };
  const env = control.env ?? {};
  // One keep-alive pool per upstream origin, through the environment's egress proxy if it names one;
  // connect timeout from config at startup.
  const dispatcher = createUpstreamDispatcher(env, { connect: { timeout: initial.timeouts.connectMs }, keepAliveTimeout: 30_000 });
  const runtime = createProviderRuntime(dispatcher);
  let deps: CallDeps = { ...derive(initial, runtime, initialCatalog), dispatcher, recorder };
  const editor = createConfigEditor({
    path: control.configPath,
    env,
    dataDir: initial.dataDir,
    defaultText: control.defaultText ?? (() => `${JSON.stringify(defaultConfigDocument(env), null, 2)}\n`),
    apply: async (config) => {
      await setConfig(config);
      control.onApplied?.(config);
    },
  });
  let applied = Promise.resolve();
  function setConfig(config: Config): Promise<void> {
    // One after the other: a config still waiting for its prices never overtakes a later one.
    applied = applied.catch(() => {}).then(async () => {
      const catalog = await buildPricedCatalog(config);
      deps = { ...deps, ...derive(config, runtime, catalog) };
    });
    return applied;
  }

  /** Control-plane requests (`/api/*`, `/v1/models`): who is asking decides what they see and may do. */
  async function handleRead(request: IncomingMessage, response: ServerResponse, path: string, current: CallDeps, requestId: string): Promise<void> {
    const resolution = await current.identity.resolve(requestView(request));
    const dialect = dialectFor(path, request);
    if (!resolution.ok) {
      const kind = resolution.status === 401 ? 'authentication' : resolution.status === 403 ? 'permission' : 'unavailable';
      return sendError(response, dialect, new GatewayError(kind, resolution.message), requestId);
    }
    const access = current.access.accessFor(resolution.identity);
    if (!access.role) return sendError(response, dialect, new GatewayError('permission', 'access denied: no role granted'), requestId);
    if (path === '/api/whoami') return whoami(response, resolution.identity, access, current.catalog, requestId);
    if (path === '/metrics') {
      if (!access.readMetrics) return sendError(response, dialect, new GatewayError('permission', 'access denied: /metrics needs the read_metrics grant'), requestId);
      return sendMetrics(response, callMetrics, control.recordingStats?.(), requestId);
    }
    const allowed = (entry: CatalogEntry) => mayUseModel(access, entry.provider.id, entry.model);
    try {
      const models = modelsPath(path);
      if (models) return answerModels(response, { ...models, dialect: dialect.id }, current.catalog, allowed, requestId);
      const url = new URL(request.url ?? '/', 'http://gateway');
      if (isInferenceProfiles(path)) return listInferenceProfiles(response, current.catalog.entries.filter(allowed), url.searchParams, requestId);
      // The web UI's API (config editing, providers, access check, chart series): src/admin/admin-api.ts.
      const adminContext = { identity: resolution.identity, access, config: current.config, catalog: current.catalog, store, editor, requestId, now: Date.now() };
      if (await handleAdminApi(request, response, path, url.searchParams, adminContext)) return;
      if (request.method !== 'GET') throw new GatewayError('invalid_request', `method ${request.method} is not allowed on ${path}`, { status: 405 });
      if (!store) throw new GatewayError('unavailable', 'this gateway runs without a store');
      const handled = await handleUsageApi(response, path, url.searchParams, { store, identity: resolution.identity, access, requestId, now: Date.now() });
      if (!handled) throw new GatewayError('not_found', `no route for GET ${path}`);
    } catch (error) {
      sendError(response, dialect, error instanceof GatewayError ? error : new GatewayError('internal', 'internal error'), requestId);
    }
  }

  function handle(request: IncomingMessage, response: ServerResponse): void {
    const current = deps;
    const url = request.url ?? '/';
    const path = url.split('?')[0];
    if (request.method === 'POST') {
      const ingress = matchIngress(path);
      if (ingress) {
        void handleCall(request, response, ingress, current, newRecord(request));
        return;
      }
    }
    const requestId = randomUUID();
    if ((request.method === 'GET' || request.method === 'HEAD') && (path === '/' || path === '/api/hello')) {
      // Reachability probes: Claude Code sends a fire-and-forget `HEAD /api/hello`, others `HEAD /`.
      response.writeHead(200, { 'content-type': 'text/plain', 'x-request-id': requestId }).end(request.method === 'GET' ? 'tailgate\n' : undefined);
      return;
    }
    if (request.method === 'GET' && path === '/healthz') {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      return;
    }
    if ((request.method === 'GET' && (modelsPath(path) || path === '/metrics' || isInferenceProfiles(path))) || path.startsWith('/api/')) {
      void handleRead(request, response, path, current, requestId);
      return;
    }
    if (path === '/ui' || path.startsWith('/ui/')) {
      void serveUi(request, response, path);
      return;
    }
    request.resume();
    const known = matchIngress(path) !== undefined;
    sendError(
      response,
      dialectFor(path, request),
      known
        ? new GatewayError('invalid_request', `method ${request.method} is not allowed on ${path}`, { status: 405 })
        : new GatewayError('not_found', `no route for ${request.method} ${path}`),
      requestId,
    );
  }

  return {
    handle,
    setConfig,
    close: () => dispatcher.close(),
  };
}

export type StartedGateway = {
  url: string;
  server: Server;
  gateway: Gateway;
  /** Calls recorded in memory (most recent last), for tests and `tailgate` diagnostics. */
  calls: CallRecord[];
  /** The durable store, when started with `durable`. */
  store?: Store;
  close(): Promise<void>;
};

/** Node's HTTP server with timeouts that stop slow clients without cutting long streams. */
export function createHttpServer(gateway: Gateway): Server {
  const server = createServer({ keepAliveTimeout: 65_000, headersTimeout: 30_000, requestTimeout: 0, noDelay: true }, gateway.handle);
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });
  // HTTP/2 with prior knowledge on the same port: the AWS SDK's Bedrock client speaks nothing else.
  serveH2c(server, gateway.handle);
  return server;
}

export function parseListen(listen: string): { host: string; port: number } {
  const match = /^\[?([^\]]*?)\]?:(\d+)$/.exec(listen);
  if (!match) throw new Error(`listen address must be HOST:PORT, got "${listen}"`);
  return { host: match[1] || '127.0.0.1', port: Number(match[2]) };
}

/**
 * Starts a gateway in this process (tests, embedding). `config` is a config object or a file path.
 * With `durable`, calls go through the journal into the configured store, as under `tailgate serve`.
 */
export async function startGateway(options: { config: object | string; listen?: string; env?: Environment; recorder?: Recorder; durable?: boolean }): Promise<StartedGateway> {
  const env = options.env ?? process.env;
  const loaded = typeof options.config === 'string' ? await loadConfigFile(options.config, env) : loadConfigObject(options.config, env);
  if (!loaded.config) throw new Error(`invalid config: ${loaded.problems.map((problem) => problem.message).join('; ')}`);
  const config = loaded.config;
  const memory = new MemoryRecorder(10_000);
  const recording = options.durable ? await openRecording(() => config, createLogger({ level: 'silent' })) : undefined;
  const sinks = [memory, ...(options.recorder ? [options.recorder] : []), ...(recording ? [recording.recorder] : [])];
  const recorder: Recorder = { record: (call, capture) => Promise.all(sinks.map((sink) => sink.record(call, capture))).then(() => {}) };
  const gateway = await createGateway(config, recorder, recording?.store, {
    recordingStats: recording?.stats,
    configPath: typeof options.config === 'string' ? options.config : undefined,
    env,
    defaultText: () => `${JSON.stringify(options.config, null, 2)}\n`,
  });
  const server = createHttpServer(gateway);
  const { host, port } = parseListen(options.listen ?? '127.0.0.1:0');
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`,
    server,
    gateway,
    calls: memory.calls,
    store: recording?.store,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await gateway.close();
      await recording?.close();
    },
  };
}
