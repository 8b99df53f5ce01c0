import { asObject, asString, isObject, type JsonObject, type ResponseFacts, type ResponseReader, type ToolCall } from '../../metering/facts.ts';
import { definedUsage } from '../../metering/usage.ts';
import { anthropicUsage, mergeRawUsage } from './usage.ts';

/**
 * Reads a Message body or its stream events. Tool input arrives as `input_json_delta` fragments
 * per content-block index, complete at `content_block_stop` (§1.3).
 */
export function createMessagesReader(): ResponseReader {
  let rawUsage: JsonObject = {};
  let finishReason: string | undefined;
  let model: string | undefined;
  let streamError: string | undefined;
  const open = new Map<number, ToolCall & { streamed: boolean }>();
  const calls: ToolCall[] = [];

  function readMessage(message: JsonObject): void {
    if (typeof message.model === 'string') model = message.model;
    if (isObject(message.usage)) rawUsage = mergeRawUsage(rawUsage, message.usage);
    if (typeof message.stop_reason === 'string') finishReason = message.stop_reason;
    if (!Array.isArray(message.content)) return;
    for (const block of message.content) {
      const b = asObject(block);
      if (b.type === 'tool_use') calls.push({ id: asString(b.id), name: asString(b.name) ?? '', arguments: JSON.stringify(b.input ?? {}) });
    }
  }

  return {
    read(value) {
      if (!isObject(value)) return;
      const index = typeof value.index === 'number' ? value.index : -1;
      switch (value.type) {
        case 'message':
          readMessage(value);
          return;
        case 'message_start':
          readMessage(asObject(value.message));
          return;
        case 'content_block_start': {
          const block = asObject(value.content_block);
          if (block.type !== 'tool_use') return;
          open.set(index, { id: asString(block.id), name: asString(block.name) ?? '', arguments: '', streamed: false });
          const input = block.input;
          if (isObject(input) && Object.keys(input).length > 0) open.get(index)!.arguments = JSON.stringify(input);
          return;
        }
        case 'content_block_delta': {
          const delta = asObject(value.delta);
          const call = open.get(index);
          if (call && delta.type === 'input_json_delta') {
            if (!call.streamed) call.arguments = '';
            call.streamed = true;
            call.arguments += asString(delta.partial_json) ?? '';
          }
          return;
        }
        case 'content_block_stop': {
          const call = open.get(index);
          if (!call) return;
          open.delete(index);
          calls.push({ id: call.id, name: call.name, arguments: call.arguments === '' ? '{}' : call.arguments });
          return;
        }
        case 'message_delta': {
          const stop = asString(asObject(value.delta).stop_reason);
          if (stop) finishReason = stop;
          if (isObject(value.usage)) rawUsage = mergeRawUsage(rawUsage, value.usage);
          return;
        }
        case 'error':
          streamError = asString(asObject(value.error).type) ?? 'error';
          return;
      }
    },
    facts(): ResponseFacts {
      return { usage: definedUsage(anthropicUsage(rawUsage)), toolCalls: calls, finishReason, model, streamError };
    },
  };
}
