import { asObject, type JsonObject } from '../../metering/facts.ts';
import { count, sum, type Usage } from '../../metering/usage.ts';

/**
 * Anthropic reports input *excluding* cache reads and writes, so the inclusive total is computed
 * (providers.md §0 rule 1). output_tokens already includes thinking.
 */
export function anthropicUsage(raw: JsonObject): Usage {
  const cacheRead = count(raw.cache_read_input_tokens);
  const cacheWrite = count(raw.cache_creation_input_tokens);
  const split = asObject(raw.cache_creation);
  return {
    inputTokens: sum(count(raw.input_tokens), cacheRead, cacheWrite),
    outputTokens: count(raw.output_tokens),
    cacheReadTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
    cacheWrite5mTokens: count(split.ephemeral_5m_input_tokens),
    cacheWrite1hTokens: count(split.ephemeral_1h_input_tokens),
    reasoningTokens: count(asObject(raw.output_tokens_details).thinking_tokens),
  };
}

/**
 * Stream usage is a series of cumulative snapshots (message_start, then message_delta): a later
 * non-null raw field replaces the earlier one; nothing is ever added (§0 rule 2).
 */
export function mergeRawUsage(known: JsonObject, report: JsonObject): JsonObject {
  const merged: JsonObject = { ...known };
  for (const [key, value] of Object.entries(report)) {
    if (value === null || value === undefined) continue;
    merged[key] = typeof value === 'object' && !Array.isArray(value) ? mergeRawUsage(asObject(known[key]), asObject(value)) : value;
  }
  return merged;
}
