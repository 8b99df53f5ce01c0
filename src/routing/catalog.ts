import type { Config, ProviderConfig } from '../config/config.ts';
import type { Endpoint } from '../dialects/dialect.ts';
import { resolvePrices, type PriceKey, type PriceLookup } from '../metering/price-lookup.ts';
import type { PriceRef } from '../metering/pricing.ts';
import { servesEndpoint } from '../providers/registry.ts';
import { bedrockBaseId, bedrockGeographies } from './bedrock-ids.ts';
import { globMatch } from './glob.ts';

/** Where one call goes. */
export type Route = {
  readonly provider: ProviderConfig;
  /** What the caller asked for (maybe `provider/model`). */
  readonly model: string;
  /** What the upstream is asked for. */
  readonly upstreamModel: string;
  readonly price: PriceRef | undefined;
};

export type RouteResult = { ok: true; route: Route } | { ok: false; reason: 'unknown-model' | 'wrong-endpoint' | 'forbidden' };

/** `model` as configured; `upstream` is what the provider is asked for (a Bedrock id, an Azure deployment). */
export type CatalogEntry = { provider: ProviderConfig; model: string; upstream: string; price: PriceRef | undefined };

// Aperture infers a cost basis from what the provider speaks (aperture.md §3.3, `auto_cost_basis`);
// a cloud provider's prices are the cloud's, whatever API it speaks.
function inferredBasis(provider: ProviderConfig): string | undefined {
  switch (provider.type) {
    case 'bedrock':
      return 'bedrock';
    case 'vertex':
      return 'vertex';
    case 'azure':
      return 'azure';
    case 'api-key':
      break;
  }
  const flags = provider.compatibility;
  if (flags.anthropic_messages) return 'anthropic';
  if (flags.gemini_generate_content) return 'google';
  if (flags.openai_chat || flags.openai_responses) return 'openai';
  return undefined;
}

function priceFor(prices: PriceLookup, provider: ProviderConfig, model: string, autoCostBasis: boolean, upstream = model): PriceRef | undefined {
  const price = priceOf(prices, provider, model, autoCostBasis);
  // A configured alias (`claude-sonnet-4-5` → a Bedrock id) is priced by the id when the name is unknown.
  return price ?? (upstream !== model ? priceOf(prices, provider, upstream, autoCostBasis) : undefined);
}

function priceOf(prices: PriceLookup, provider: ProviderConfig, model: string, autoCostBasis: boolean): PriceRef | undefined {
  const basis = provider.costBasis ?? (autoCostBasis ? inferredBasis(provider) : undefined);
  if (!basis) return undefined;
  for (const mapping of provider.modelCostMap) {
    if (!globMatch(mapping.match, model)) continue;
    const slash = mapping.as.indexOf('/');
    const [mappedBasis, mappedModel] = slash === -1 ? [basis, mapping.as] : [mapping.as.slice(0, slash), mapping.as.slice(slash + 1)];
    const found = prices(mappedBasis, mappedModel);
    return found && { basis: mappedBasis, model: found.model, price: found.price, adjustment: mapping.adjustment };
  }
  const found = prices(basis, model);
  return found && { basis, model: found.model, price: found.price, adjustment: 1 };
}

/**
 * The catalog of a config with its prices, looked up in a thread that exits afterwards
 * (metering/price-lookup.ts): a first pass collects what buildCatalog asks for, the second has it.
 */
export async function buildPricedCatalog(config: Config): Promise<Catalog> {
  const keys: PriceKey[] = [];
  buildCatalog(config, (basis, model) => void keys.push({ basis, model }));
  return buildCatalog(config, await resolvePrices(keys));
}

/**
 * The model catalog: every (provider, model) pair of the enabled providers, with its price
 * resolved once at config load so the hot path does a map lookup only.
 */
export function buildCatalog(config: Config, prices: PriceLookup) {
  const entries: CatalogEntry[] = [];
  const byModel = new Map<string, CatalogEntry[]>();
  const byQualified = new Map<string, CatalogEntry>();
  const byBedrockId = new Map<string, CatalogEntry[]>();
  // The price of each Bedrock id a client may name instead of the configured one (any geography's
  // profile, or the bare id), by provider: looked up here, since prices are looked up at config load only.
  const aliasPrices = new Map<string, PriceRef | undefined>();
  for (const provider of config.providers) {
    if (provider.disabled) continue;
    for (const model of provider.models) {
      const upstream = provider.upstreamModels[model] ?? model;
      const entry = { provider, model, upstream, price: priceFor(prices, provider, model, config.autoCostBasis, upstream) };
      entries.push(entry);
      byModel.set(model, [...(byModel.get(model) ?? []), entry]);
      byQualified.set(`${provider.id}/${model}`, entry);
      if (provider.type === 'bedrock') {
        const base = bedrockBaseId(upstream);
        byBedrockId.set(base, [...(byBedrockId.get(base) ?? []), entry]);
        for (const id of [base, ...bedrockGeographies.map((geography) => `${geography}.${base}`)]) {
          const key = `${provider.id}\u0000${id}`;
          if (!aliasPrices.has(key)) aliasPrices.set(key, priceFor(prices, provider, id, config.autoCostBasis));
        }
      }
    }
  }
  // Highest preference first; config order breaks ties (the sort is stable).
  for (const list of [...byModel.values(), ...byBedrockId.values()]) list.sort((a, b) => b.provider.preference - a.provider.preference);
  // A route to a Bedrock id that is not configured as written: its own price, else the entry's.
  const aliasPrice = (entry: CatalogEntry, id: string) => aliasPrices.get(`${entry.provider.id}\u0000${id}`) ?? entry.price;

  /** The entries a name picks, highest preference first: a bare model name (a model may itself contain `/`), then `provider/model`. */
  function named(model: string): CatalogEntry[] {
    const qualified = byQualified.get(model);
    return [...(byModel.get(model) ?? []), ...(qualified ? [qualified] : [])];
  }

  return {
    entries,
    named,
    /**
     * The entries `named` picks. Only entries the caller is `allowed` to use are candidates, so a grant
     * for the less preferred provider of a model still routes there.
     */
    resolve(model: string, endpoint: Endpoint, allowed: (entry: CatalogEntry) => boolean = () => true): RouteResult {
      let candidates = named(model);
      const alias = candidates.length === 0 && byBedrockId.size > 0;
      if (alias) candidates = byBedrockId.get(bedrockBaseId(model)) ?? [];
      if (candidates.length === 0) return { ok: false, reason: 'unknown-model' };
      const served = candidates.filter((entry) => servesEndpoint(entry.provider, endpoint));
      if (served.length === 0) return { ok: false, reason: 'wrong-endpoint' };
      const entry = served.find(allowed);
      if (!entry) return { ok: false, reason: 'forbidden' };
      // Through a geography alias the client's own profile id goes upstream: it chose the routing.
      if (alias) return { ok: true, route: { provider: entry.provider, model, upstreamModel: model, price: aliasPrice(entry, model) } };
      return { ok: true, route: { provider: entry.provider, model, upstreamModel: entry.upstream, price: entry.price } };
    },
  };
}

export type Catalog = ReturnType<typeof buildCatalog>;
