import { asObject, asString, isObject, type ResponseFacts, type ResponseReader, type ToolCall } from '../../metering/facts.ts';
import { definedUsage, mergeUsage, type Usage } from '../../metering/usage.ts';
import { chatUsage } from './usage.ts';

/**
 * Reads chat.completion bodies and chat.completion.chunk events. Streamed tool calls arrive in
 * fragments keyed by `index`: id and name on the first, argument text concatenated (§1.1).
 */
export function createChatReader(options: { injectedUsage: boolean }): ResponseReader {
  let usage: Usage = {};
  let finishReason: string | undefined;
  let model: string | undefined;
  let streamError: string | undefined;
  const calls = new Map<number, ToolCall>();

  function readToolCalls(list: unknown, streamed: boolean): void {
    if (!Array.isArray(list)) return;
    list.forEach((entry, position) => {
      const part = asObject(entry);
      const fn = asObject(part.function);
      const index = typeof part.index === 'number' ? part.index : position;
      const known = calls.get(index);
      if (known && streamed) {
        known.arguments += asString(fn.arguments) ?? '';
        if (!known.name) known.name = asString(fn.name) ?? '';
        return;
      }
      calls.set(streamed ? index : calls.size, {
        id: asString(part.id),
        name: asString(fn.name) ?? '',
        arguments: asString(fn.arguments) ?? '',
      });
    });
  }

  return {
    read(value) {
      if (!isObject(value)) return true;
      if (typeof value.model === 'string') model = value.model;
      if (isObject(value.error)) streamError = asString(value.error.message) ?? 'error';
      const choices = Array.isArray(value.choices) ? value.choices : [];
      for (const choice of choices) {
        const c = asObject(choice);
        if (isObject(c.delta)) readToolCalls(c.delta.tool_calls, true);
        if (isObject(c.message)) readToolCalls(c.message.tool_calls, false);
        if (typeof c.finish_reason === 'string') finishReason = c.finish_reason;
      }
      if (!isObject(value.usage)) return true;
      usage = mergeUsage(usage, chatUsage(value.usage));
      // The usage-only chunk we asked for on the client's behalf: the client did not ask, so hide it.
      // Azure's first chunk also has `choices: []` but `usage: null`, so it is never dropped (§1.7).
      return !(options.injectedUsage && choices.length === 0);
    },
    facts(): ResponseFacts {
      return { usage: definedUsage(usage), toolCalls: [...calls.values()], finishReason, model, streamError };
    },
  };
}
