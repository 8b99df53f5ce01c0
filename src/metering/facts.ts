import type { Usage } from './usage.ts';

/** A tool call the model asked the client to run, reassembled from the wire. */
export type ToolCall = {
  id?: string;
  name: string;
  /** The complete argument JSON text as the provider sent it. */
  arguments: string;
};

/** What the tap learned from one response. */
export type ResponseFacts = {
  usage: Usage;
  toolCalls: ToolCall[];
  /** The provider's own finish/stop reason, unmapped. */
  finishReason?: string;
  /** The model the response says it came from. */
  model?: string;
  /** An error the provider reported inside a 200 stream (e.g. Anthropic overloaded_error). */
  streamError?: string;
};

/**
 * The `event` an AWS event-stream exception message is read with; its value is
 * `{type: <:exception-type>, message}` (e.g. `throttlingException` mid-stream).
 */
export const exceptionEvent = 'exception';

/**
 * Reads one response's events (an SSE event's JSON, a JSON-array element, an AWS event-stream
 * message's JSON payload, or a whole JSON body) and accumulates facts. One reader per call; it
 * holds tool-argument buffers.
 */
export interface ResponseReader {
  /**
   * `event` is the SSE event name, or an event-stream message's `:event-type` (`exceptionEvent` for
   * exceptions). Returns false to drop the event (never used to change one).
   */
  read(value: unknown, event?: string): boolean | void;
  facts(): ResponseFacts;
}

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asObject(value: unknown): JsonObject {
  return isObject(value) ? value : {};
}

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
