import { createRequire } from 'node:module';
import type * as Undici from 'undici';
import type { Environment } from '../config/load.ts';

/**
 * undici's Agent, without undici's entry point. That entry point loads all of undici (fetch,
 * WebSocket, caches, mocks, Node's own bundled copy of undici for its web streams): 2.3 MB more live
 * heap at import and about 5 MB more RSS after a few thousand calls, for code the gateway never runs.
 * The data plane needs only the Agent's dispatch(); the request API (request, stream, …) is attached
 * to the Dispatcher prototype as the entry point does, for the few callers that use it (Vertex token).
 * undici publishes no `exports` map, so these paths are reachable; the proxy tests use them all.
 */
const require = createRequire(import.meta.url);
const Dispatcher = require('undici/lib/dispatcher/dispatcher.js') as typeof Undici.Dispatcher;
Object.assign(Dispatcher.prototype, require('undici/lib/api/index.js'));

const Agent = require('undici/lib/dispatcher/agent.js') as typeof Undici.Agent;

/**
 * The dispatcher for provider calls: a keep-alive pool per origin, reached through the egress proxy
 * the environment names (`HTTPS_PROXY` for https origins, `HTTP_PROXY` for http ones and for https
 * when there is no `HTTPS_PROXY`; lowercase names too; hosts in `NO_PROXY` go direct), as a gateway
 * inside a company network often must reach the providers. An https provider is reached through a
 * CONNECT tunnel, so TLS stays end to end; credentials in the proxy's URL are sent as Basic proxy
 * authorization. Without such a variable, a plain Agent (the proxy agent parses each call's origin to
 * pick its route).
 */
export function createUpstreamDispatcher(env: Environment, options: Undici.Agent.Options): Undici.Dispatcher {
  const httpProxy = env.http_proxy ?? env.HTTP_PROXY;
  const httpsProxy = env.https_proxy ?? env.HTTPS_PROXY;
  if (!httpProxy && !httpsProxy) return new Agent(options);
  const EnvHttpProxyAgent = require('undici/lib/dispatcher/env-http-proxy-agent.js') as typeof Undici.EnvHttpProxyAgent;
  // '' rather than undefined: undici would read process.env itself, and `env` is the gateway's.
  return new EnvHttpProxyAgent({ ...options, httpProxy: httpProxy ?? '', httpsProxy: httpsProxy ?? '', noProxy: env.no_proxy ?? env.NO_PROXY ?? '' });
}
