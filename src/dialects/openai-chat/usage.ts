import { asObject, type JsonObject } from '../../metering/facts.ts';
import { count, type Usage } from '../../metering/usage.ts';

/**
 * OpenAI `CompletionUsage`: prompt_tokens already includes cached tokens, completion_tokens already
 * includes reasoning (providers.md §0, §1.1). Embeddings report prompt_tokens only.
 */
export function chatUsage(raw: JsonObject): Usage {
  const prompt = asObject(raw.prompt_tokens_details);
  const completion = asObject(raw.completion_tokens_details);
  return {
    inputTokens: count(raw.prompt_tokens),
    outputTokens: count(raw.completion_tokens),
    cacheReadTokens: count(prompt.cached_tokens),
    cacheWriteTokens: count(prompt.cache_write_tokens),
    reasoningTokens: count(completion.reasoning_tokens),
  };
}
