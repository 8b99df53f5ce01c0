import { calcPrice, type ModelPrice } from '@pydantic/genai-prices';

/**
 * Prices come from @pydantic/genai-prices, a maintained price database bundled in the package (no
 * network at run time: we never call its updatePrices). A price is looked up once per configured
 * model at config load; the per-call cost is our own arithmetic in pricing.ts.
 */
export type { ModelPrice };

// Aperture's cost_basis names → the database's provider ids. Any other basis is tried as a provider id.
const providerIds: Record<string, string> = {
  google: 'google',
  vertex: 'google',
  bedrock: 'aws',
  'bedrock-us': 'aws',
  'bedrock-eu': 'aws',
  'bedrock-ap': 'aws',
  azure: 'azure',
  'azure-eu': 'azure',
};

/** A model's prices, under the database's name for it. */
export type FoundPrice = { model: string; price: ModelPrice };

export function findModelPrice(basis: string, model: string): FoundPrice | undefined {
  try {
    const result = calcPrice({ input_tokens: 0, output_tokens: 0 }, model, { providerId: providerIds[basis] ?? basis });
    return result ? { model: result.model.id, price: result.model_price } : undefined;
  } catch {
    return undefined; // an unknown provider id is simply an unpriced model
  }
}
