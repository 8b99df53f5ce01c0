import { asObject, asString, exceptionEvent, isObject, type JsonObject, type ResponseFacts, type ResponseReader, type ToolCall } from '../../metering/facts.ts';
import { definedUsage, mergeUsage, type Usage } from '../../metering/usage.ts';
import { createMessagesReader } from '../anthropic-messages/read-frames.ts';
import { converseUsage, headerUsage, invocationMetricsUsage } from './usage.ts';

type Headers = Record<string, string | string[] | undefined>;

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function hasTokens(usage: Usage): boolean {
  return usage.inputTokens !== undefined || usage.outputTokens !== undefined;
}

/**
 * InvokeModel and InvokeModelWithResponseStream: the body is the model's own format. For Claude it
 * is an Anthropic Message, or per stream `chunk` the base64 of one Anthropic stream event
 * (providers.md §1.5), so the Anthropic reader does the work. Usage falls back to the
 * `amazon-bedrock-invocationMetrics` Bedrock adds to the last chunk, then to the token-count headers.
 */
export function createInvokeReader(options: { headers?: Headers } = {}): ResponseReader {
  const messages = createMessagesReader();
  let metrics: Usage = {};
  let streamError: string | undefined;

  function readModelEvent(value: unknown): void {
    if (!isObject(value)) return;
    messages.read(value, asString(value.type));
    const invocation = value['amazon-bedrock-invocationMetrics'];
    if (isObject(invocation)) metrics = mergeUsage(metrics, invocationMetricsUsage(invocation));
  }

  return {
    read(value, event) {
      if (event === exceptionEvent) {
        streamError = asString(asObject(value).type) ?? 'exception';
        return;
      }
      if (event === 'chunk') {
        const bytes = asString(asObject(value).bytes);
        if (bytes) readModelEvent(parse(Buffer.from(bytes, 'base64').toString('utf8')));
        return;
      }
      readModelEvent(value);
    },
    facts(): ResponseFacts {
      const facts = messages.facts();
      const usage = hasTokens(facts.usage) ? facts.usage : hasTokens(metrics) ? definedUsage(metrics) : definedUsage(headerUsage(options.headers));
      return { ...facts, usage, streamError: streamError ?? facts.streamError };
    },
  };
}

/**
 * Converse (one JSON body) and ConverseStream (typed events: `contentBlockStart` opens a tool call,
 * `contentBlockDelta.delta.toolUse.input` carries its argument text, `messageStop` the stop reason,
 * `metadata` the usage; providers.md §1.5).
 */
export function createConverseReader(): ResponseReader {
  let usage: Usage = {};
  let finishReason: string | undefined;
  let streamError: string | undefined;
  const open = new Map<number, ToolCall>();
  const calls: ToolCall[] = [];

  function readResponse(value: JsonObject): void {
    if (typeof value.stopReason === 'string') finishReason = value.stopReason;
    if (isObject(value.usage)) usage = mergeUsage(usage, converseUsage(value.usage));
    const content = asObject(asObject(value.output).message).content;
    if (!Array.isArray(content)) return;
    for (const block of content) {
      const toolUse = asObject(asObject(block).toolUse);
      if (typeof toolUse.name === 'string') calls.push({ id: asString(toolUse.toolUseId), name: toolUse.name, arguments: JSON.stringify(toolUse.input ?? {}) });
    }
  }

  return {
    read(value, event) {
      const v = asObject(value);
      const index = typeof v.contentBlockIndex === 'number' ? v.contentBlockIndex : -1;
      switch (event) {
        case undefined:
          readResponse(v);
          return;
        case exceptionEvent:
          streamError = asString(v.type) ?? 'exception';
          return;
        case 'contentBlockStart': {
          const toolUse = asObject(asObject(v.start).toolUse);
          if (typeof toolUse.name === 'string') open.set(index, { id: asString(toolUse.toolUseId), name: toolUse.name, arguments: '' });
          return;
        }
        case 'contentBlockDelta': {
          const call = open.get(index);
          const input = asObject(asObject(v.delta).toolUse).input;
          if (call && typeof input === 'string') call.arguments += input;
          return;
        }
        case 'contentBlockStop': {
          const call = open.get(index);
          if (!call) return;
          open.delete(index);
          calls.push({ ...call, arguments: call.arguments === '' ? '{}' : call.arguments });
          return;
        }
        case 'messageStop':
          if (typeof v.stopReason === 'string') finishReason = v.stopReason;
          return;
        case 'metadata':
          if (isObject(v.usage)) usage = mergeUsage(usage, converseUsage(v.usage));
          return;
      }
    },
    facts(): ResponseFacts {
      return { usage: definedUsage(usage), toolCalls: calls, finishReason, streamError };
    },
  };
}
