import type { JsonObject } from '../../metering/facts.ts';
import { count, sum, type Usage } from '../../metering/usage.ts';

/**
 * Gemini `usageMetadata`: promptTokenCount includes cached content; candidatesTokenCount excludes
 * thinking, which is billed as output. Some backends already fold thoughts into candidates, which
 * shows as prompt + candidates == total (providers.md §0 rule 3).
 */
export function geminiUsage(raw: JsonObject): Usage {
  const prompt = count(raw.promptTokenCount);
  const candidates = count(raw.candidatesTokenCount);
  const thoughts = count(raw.thoughtsTokenCount);
  const total = count(raw.totalTokenCount);
  const thoughtsIncluded = prompt !== undefined && candidates !== undefined && prompt + candidates === total;
  return {
    inputTokens: prompt,
    outputTokens: thoughtsIncluded ? candidates : sum(candidates, thoughts),
    cacheReadTokens: count(raw.cachedContentTokenCount),
    reasoningTokens: thoughts,
  };
}
