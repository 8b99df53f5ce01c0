import { createRequire } from 'node:module';
import type * as Undici from 'undici';

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

export const Agent = require('undici/lib/dispatcher/agent.js') as typeof Undici.Agent;
