import { asObject, type JsonObject } from '../../metering/facts.ts';
import { count, type Usage } from '../../metering/usage.ts';

/** Responses `ResponseUsage`: input_tokens includes cached, output_tokens includes reasoning (§1.2). */
export function responsesUsage(raw: JsonObject): Usage {
  const input = asObject(raw.input_tokens_details);
  const output = asObject(raw.output_tokens_details);
  return {
    inputTokens: count(raw.input_tokens),
    outputTokens: count(raw.output_tokens),
    cacheReadTokens: count(input.cached_tokens),
    cacheWriteTokens: count(input.cache_write_tokens),
    reasoningTokens: count(output.reasoning_tokens),
  };
}
