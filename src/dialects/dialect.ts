import type { ResponseReader } from '../metering/facts.ts';
import type { GatewayError } from './gateway-error.ts';

/** A wire API family: what the bytes look like and how errors are spelled. */
export type DialectId = 'openai' | 'anthropic' | 'gemini' | 'bedrock';

export interface Dialect {
  readonly id: DialectId;
  /** The error body in this dialect's own shape. */
  renderError(error: GatewayError): string;
  /** Headers that carry part of the error (Bedrock's `x-amzn-ErrorType`). */
  errorHeaders?(error: GatewayError): Record<string, string>;
}

/** Upstream response headers as undici reports them. */
export type ResponseHeaders = Record<string, string | string[] | undefined>;

/**
 * One ingress operation (`POST /v1/messages`, Gemini `:streamGenerateContent`, …). The path picks
 * it; its compatibility flag decides which providers may serve it.
 */
export type Endpoint = {
  readonly id: EndpointId;
  readonly dialect: Dialect;
  /** Aperture's compatibility flag that enables this endpoint on a provider. */
  readonly compat: CompatFlag;
  /** Where the request says it wants a stream. */
  readonly stream: 'body-field' | 'always' | 'never';
  /** Where the model name is. */
  readonly model: 'body-field' | 'path';
  /**
   * A fresh reader for one response. `injectedUsage`: we added include_usage upstream and must hide
   * its chunk. `headers`: the upstream's response headers (Bedrock reports token counts there too).
   */
  createReader(options: { injectedUsage: boolean; headers?: ResponseHeaders }): ResponseReader;
};

export type EndpointId =
  | 'openai-chat'
  | 'openai-responses'
  | 'openai-embeddings'
  | 'anthropic-messages'
  | 'anthropic-count-tokens'
  | 'gemini-generate'
  | 'gemini-stream'
  | 'gemini-count-tokens'
  | 'bedrock-invoke'
  | 'bedrock-invoke-stream'
  | 'bedrock-converse'
  | 'bedrock-converse-stream'
  | 'bedrock-count-tokens'
  | 'vertex-generate'
  | 'vertex-stream'
  | 'vertex-count-tokens'
  | 'vertex-raw-predict'
  | 'vertex-stream-raw-predict'
  | 'vertex-anthropic-count-tokens';

export const compatFlags = [
  'openai_chat',
  'openai_responses',
  'anthropic_messages',
  'gemini_generate_content',
  'google_generate_content',
  'google_raw_predict',
  'bedrock_model_invoke',
  'bedrock_converse',
  'experimental_gemini_cli_vertex_compat',
] as const;
export type CompatFlag = (typeof compatFlags)[number];
