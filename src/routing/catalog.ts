import type { Config, ProviderConfig } from '../config/config.ts';
import type { CompatFlag, Endpoint } from '../dialects/dialect.ts';
import { lookupPrice, type PriceRef } from '../metering/pricing.ts';
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

export type CatalogEntry = { provider: ProviderConfig; model: string; price: PriceRef | undefined };

// Aperture infers a cost basis from what the provider speaks (aperture.md §3.3, `auto_cost_basis`).
function inferredBasis(provider: ProviderConfig): string | undefined {
  const flags = provider.compatibility;
  if (flags.anthropic_messages) return 'anthropic';
  if (flags.gemini_generate_content) return 'google';
  if (flags.openai_chat || flags.openai_responses) return 'openai';
  return undefined;
}

function priceFor(provider: ProviderConfig, model: string, autoCostBasis: boolean): PriceRef | undefined {
  const basis = provider.costBasis ?? (autoCostBasis ? inferredBasis(provider) : undefined);
  if (!basis) return undefined;
  for (const mapping of provider.modelCostMap) {
    if (!globMatch(mapping.match, model)) continue;
    const slash = mapping.as.indexOf('/');
    const [mappedBasis, mappedModel] = slash === -1 ? [basis, mapping.as] : [mapping.as.slice(0, slash), mapping.as.slice(slash + 1)];
    const found = lookupPrice(mappedBasis, mappedModel);
    return found && { basis: mappedBasis, model: found.model, price: found.price, adjustment: mapping.adjustment };
  }
  const found = lookupPrice(basis, model);
  return found && { basis, model: found.model, price: found.price, adjustment: 1 };
}

/**
 * The model catalog: every (provider, model) pair of the enabled providers, with its price
 * resolved once at config load so the hot path does a map lookup only.
 */
export function buildCatalog(config: Config) {
  const entries: CatalogEntry[] = [];
  const byModel = new Map<string, CatalogEntry[]>();
  const byQualified = new Map<string, CatalogEntry>();
  for (const provider of config.providers) {
    if (provider.disabled) continue;
    for (const model of provider.models) {
      const entry = { provider, model, price: priceFor(provider, model, config.autoCostBasis) };
      entries.push(entry);
      byModel.set(model, [...(byModel.get(model) ?? []), entry]);
      byQualified.set(`${provider.id}/${model}`, entry);
    }
  }
  // Highest preference first; config order breaks ties (the sort is stable).
  for (const list of byModel.values()) list.sort((a, b) => b.provider.preference - a.provider.preference);

  function serves(entry: CatalogEntry, flag: CompatFlag): boolean {
    return entry.provider.compatibility[flag];
  }

  return {
    entries,
    /**
     * A bare model name first (a model may itself contain `/`), then `provider/model`. Only entries
     * the caller is `allowed` to use are candidates, so a grant for the less preferred provider of a
     * model still routes there.
     */
    resolve(model: string, endpoint: Endpoint, allowed: (entry: CatalogEntry) => boolean = () => true): RouteResult {
      const qualified = byQualified.get(model);
      const named = [...(byModel.get(model) ?? []), ...(qualified ? [qualified] : [])];
      if (named.length === 0) return { ok: false, reason: 'unknown-model' };
      const served = named.filter((entry) => serves(entry, endpoint.compat));
      if (served.length === 0) return { ok: false, reason: 'wrong-endpoint' };
      const entry = served.find(allowed);
      if (!entry) return { ok: false, reason: 'forbidden' };
      return { ok: true, route: { provider: entry.provider, model, upstreamModel: entry.model, price: entry.price } };
    },
  };
}

export type Catalog = ReturnType<typeof buildCatalog>;
