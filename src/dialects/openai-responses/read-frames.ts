import { asObject, asString, isObject, type JsonObject, type ResponseFacts, type ResponseReader, type ToolCall } from '../../metering/facts.ts';
import { definedUsage, type Usage } from '../../metering/usage.ts';
import { responsesUsage } from './usage.ts';

/** Output item types that are tool calls the client executes, and where their arguments live. */
function toolCallOf(item: JsonObject): ToolCall | undefined {
  const name = asString(item.name) ?? '';
  const id = asString(item.call_id) ?? asString(item.id);
  switch (item.type) {
    case 'function_call':
      return { id, name, arguments: asString(item.arguments) ?? '' };
    case 'custom_tool_call': // Codex's apply_patch is a custom (free-text) tool
      return { id, name, arguments: asString(item.input) ?? '' };
    case 'local_shell_call':
      return { id, name: 'local_shell', arguments: JSON.stringify(item.action ?? {}) };
    default:
      return undefined;
  }
}

/**
 * Reads a Responses object (non-streaming body, or the `response` inside terminal stream events)
 * and `response.output_item.done` events. There is no [DONE]; the terminal event carries usage.
 */
export function createResponsesReader(): ResponseReader {
  let usage: Usage = {};
  let finishReason: string | undefined;
  let model: string | undefined;
  let streamError: string | undefined;
  const calls = new Map<string, ToolCall>();

  function readResponse(response: JsonObject): void {
    if (typeof response.model === 'string') model = response.model;
    if (isObject(response.usage)) usage = responsesUsage(response.usage);
    const status = asString(response.status);
    if (status && status !== 'in_progress' && status !== 'queued') {
      finishReason = asString(asObject(response.incomplete_details).reason) ?? status;
    }
    if (isObject(response.error)) streamError = asString(response.error.message) ?? 'error';
    if (!Array.isArray(response.output)) return;
    response.output.forEach((item, index) => readItem(asObject(item), index));
  }

  function readItem(item: JsonObject, index: number): void {
    const call = toolCallOf(item);
    if (call) calls.set(asString(item.id) ?? call.id ?? String(index), call);
  }

  return {
    read(value) {
      if (!isObject(value)) return;
      switch (value.type) {
        case 'response.created':
        case 'response.in_progress':
        case 'response.completed':
        case 'response.incomplete':
        case 'response.failed':
          readResponse(asObject(value.response));
          return;
        case 'response.output_item.done':
          readItem(asObject(value.item), typeof value.output_index === 'number' ? value.output_index : calls.size);
          return;
        case 'error':
          streamError = asString(value.message) ?? asString(asObject(value.error).message) ?? 'error';
          return;
        case undefined:
          if (value.object === 'response') readResponse(value);
          return;
      }
    },
    facts(): ResponseFacts {
      return { usage: definedUsage(usage), toolCalls: [...calls.values()], finishReason, model, streamError };
    },
  };
}
