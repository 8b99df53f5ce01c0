import { asObject, asString, isObject, type ResponseFacts, type ResponseReader, type ToolCall } from '../../metering/facts.ts';
import { definedUsage, type Usage } from '../../metering/usage.ts';
import { geminiUsage } from './usage.ts';

/**
 * Reads GenerateContentResponse objects: the whole body, each SSE event, or each element of the
 * JSON-array stream. usageMetadata is cumulative (take the last); a function call arrives whole
 * in one part (§1.4).
 */
export function createGenerateContentReader(): ResponseReader {
  let usage: Usage = {};
  let finishReason: string | undefined;
  let model: string | undefined;
  let streamError: string | undefined;
  const calls: ToolCall[] = [];

  return {
    read(value) {
      if (!isObject(value)) return;
      if (typeof value.modelVersion === 'string') model = value.modelVersion;
      if (isObject(value.usageMetadata)) usage = geminiUsage(value.usageMetadata);
      if (isObject(value.error)) streamError = asString(value.error.status) ?? 'error';
      const candidates = Array.isArray(value.candidates) ? value.candidates : [];
      for (const candidate of candidates) {
        const c = asObject(candidate);
        if (typeof c.finishReason === 'string') finishReason = c.finishReason;
        const parts = asObject(c.content).parts;
        if (!Array.isArray(parts)) continue;
        for (const part of parts) {
          const call = asObject(asObject(part).functionCall);
          if (typeof call.name !== 'string') continue;
          const id = asString(call.id); // the Gemini API often sends none; Vertex does
          calls.push({ ...(id ? { id } : {}), name: call.name, arguments: JSON.stringify(call.args ?? {}) });
        }
      }
    },
    facts(): ResponseFacts {
      return { usage: definedUsage(usage), toolCalls: calls, finishReason, model, streamError };
    },
  };
}
