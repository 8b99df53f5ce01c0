import type { EndpointId } from '../dialects/dialect.ts';
import type { ToolCall } from '../metering/facts.ts';
import type { Usage } from '../metering/usage.ts';

/** How a call ended, from the caller's point of view. */
export type Outcome = 'ok' | 'aborted' | 'upstream_error' | 'client_error' | 'gateway_error' | 'denied';

/** One row per call, produced exactly once when the call ends, whatever way it ends. */
export type CallRecord = {
  id: string;
  /** Epoch milliseconds. */
  startedAt: number;
  firstByteAt?: number;
  endedAt: number;
  /** Time the gateway spent before the upstream request left (parse, route, auth), to the microsecond. */
  overheadMs: number;
  method: string;
  path: string;
  endpoint?: EndpointId;
  /** Who called (identity login), from which source, on which tailnet node. */
  login?: string;
  identitySource?: string;
  node?: string;
  tags?: string[];
  userAgent?: string;
  /** The client named by the user agent: `claude-code`, `codex`, `gemini-cli`, `opencode`, `cline`, `openai-sdk`, … or `other`. */
  agent?: string;
  /** The conversation this call belongs to: the client's own session id, or a fingerprint of its first messages. */
  sessionId?: string;
  provider?: string;
  /** The model the caller asked for; `upstreamModel` is what the provider was asked for. */
  model?: string;
  upstreamModel?: string;
  /** The model the response says answered. */
  responseModel?: string;
  stream: boolean;
  status: number;
  outcome: Outcome;
  errorKind?: string;
  usage: Usage;
  /** USD; undefined when the price or the usage is unknown. */
  costUsd?: number;
  /** `basis/model` the cost was computed from. */
  costBasis?: string;
  toolCalls: ToolCall[];
  finishReason?: string;
  bytesIn: number;
  bytesOut: number;
};
