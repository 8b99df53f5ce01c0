import { asObject, type JsonObject } from '../../metering/facts.ts';
import { count, sum, type Usage } from '../../metering/usage.ts';

/**
 * Converse `TokenUsage` (and ConverseStream `metadata.usage`): like Anthropic, `inputTokens` is the
 * uncached remainder, so the inclusive total is computed (providers.md §0 rule 1).
 */
export function converseUsage(raw: JsonObject): Usage {
  const cacheRead = count(raw.cacheReadInputTokens);
  const cacheWrite = count(raw.cacheWriteInputTokens);
  let write5m: number | undefined;
  let write1h: number | undefined;
  // `cacheDetails: [{ttl: "5m" | "1h", inputTokens}]` splits the writes by TTL when present.
  if (Array.isArray(raw.cacheDetails)) {
    for (const detail of raw.cacheDetails) {
      const d = asObject(detail);
      if (d.ttl === '5m') write5m = (write5m ?? 0) + (count(d.inputTokens) ?? 0);
      if (d.ttl === '1h') write1h = (write1h ?? 0) + (count(d.inputTokens) ?? 0);
    }
  }
  return {
    inputTokens: sum(count(raw.inputTokens), cacheRead, cacheWrite),
    outputTokens: count(raw.outputTokens),
    cacheReadTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
    cacheWrite5mTokens: write5m,
    cacheWrite1hTokens: write1h,
  };
}

/**
 * `amazon-bedrock-invocationMetrics`, which Bedrock appends to the last InvokeModelWithResponseStream
 * chunk of every model: a fallback when the model's own events carry no usage.
 */
export function invocationMetricsUsage(raw: JsonObject): Usage {
  const cacheRead = count(raw.cacheReadInputTokenCount);
  const cacheWrite = count(raw.cacheWriteInputTokenCount);
  return {
    inputTokens: sum(count(raw.inputTokenCount), cacheRead, cacheWrite),
    outputTokens: count(raw.outputTokenCount),
    cacheReadTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
  };
}

type Headers = Record<string, string | string[] | undefined>;

function headerCount(headers: Headers, name: string): number | undefined {
  const value = headers[name];
  if (typeof value !== 'string' || value === '') return undefined;
  return count(Number(value));
}

/** InvokeModel's `X-Amzn-Bedrock-*-Token-Count` response headers, the last resort for usage. */
export function headerUsage(headers: Headers | undefined): Usage {
  if (!headers) return {};
  const cacheRead = headerCount(headers, 'x-amzn-bedrock-cache-read-input-token-count');
  const cacheWrite = headerCount(headers, 'x-amzn-bedrock-cache-write-input-token-count');
  return {
    inputTokens: sum(headerCount(headers, 'x-amzn-bedrock-input-token-count'), cacheRead, cacheWrite),
    outputTokens: headerCount(headers, 'x-amzn-bedrock-output-token-count'),
    cacheReadTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
  };
}
