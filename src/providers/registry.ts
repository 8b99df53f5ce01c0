import type { Dispatcher } from 'undici';
import type { ProviderConfig, ProviderType } from '../config/config.ts';
import type { Endpoint } from '../dialects/dialect.ts';
import type { ProviderAdapter } from './adapter.ts';
import { createApiKeyAdapter } from './api-key/index.ts';
import { azureServes, createAzureAdapter } from './azure/index.ts';
import { bedrockServes, createBedrockAdapter } from './bedrock/index.ts';
import { createVertexAdapter, vertexServes } from './vertex/index.ts';

/** What adapters share for the gateway's lifetime: the upstream pool, and caches that outlive a config reload. */
export type ProviderRuntime = {
  readonly dispatcher: Dispatcher;
  /**
   * Long-lived state (tokens, credentials, clock offsets) keyed by what it depends on, not by config
   * object: the one made for `key` before, else `create()`'s, kept from then on.
   */
  shared<T>(key: string, create: () => T): T;
};

/** One line per upstream kind: a new vendor that speaks a known dialect is a folder and a line here. */
const factories: Record<ProviderType, (provider: ProviderConfig, runtime: ProviderRuntime) => ProviderAdapter> = {
  'api-key': createApiKeyAdapter,
  bedrock: createBedrockAdapter,
  vertex: createVertexAdapter,
  azure: createAzureAdapter,
};

/**
 * The ingress endpoints each cloud adapter can place (an API-key upstream is spoken to in the
 * caller's own dialect: whatever its flags allow).
 */
const served: Partial<Record<ProviderType, ReadonlySet<string>>> = { bedrock: bedrockServes, vertex: vertexServes, azure: azureServes };

/** Whether `provider` answers `endpoint`: its compatibility flag is on and its kind of upstream can place it. */
export function servesEndpoint(provider: Pick<ProviderConfig, 'type' | 'compatibility'>, endpoint: Pick<Endpoint, 'id' | 'compat'>): boolean {
  return provider.compatibility[endpoint.compat] && (served[provider.type]?.has(endpoint.id) ?? true);
}

/** An adapter per provider id, built at config load. */
export function createAdapters(providers: readonly ProviderConfig[], runtime: ProviderRuntime): ReadonlyMap<string, ProviderAdapter> {
  return new Map(providers.map((provider) => [provider.id, factories[provider.type](provider, runtime)]));
}

export function createProviderRuntime(dispatcher: Dispatcher): ProviderRuntime {
  const state = new Map<string, unknown>();
  return {
    dispatcher,
    shared<T>(key: string, create: () => T): T {
      if (!state.has(key)) state.set(key, create());
      return state.get(key) as T;
    },
  };
}
