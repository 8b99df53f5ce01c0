import type { Endpoint, ResponseHeaders } from '../dialects/dialect.ts';
import type { GatewayError } from '../dialects/gateway-error.ts';
import type { Tap } from '../metering/tap.ts';
import type { Ingress } from '../proxy/endpoints.ts';
import type { HeaderMap } from '../proxy/headers.ts';
import type { Route } from '../routing/catalog.ts';

/**
 * The provider seam (DESIGN.md, "dialect × provider"): given a routed call, an adapter says where
 * its bytes go and how they are authenticated — a base URL and a key header (`api-key/`), SigV4
 * (`bedrock/`), an OAuth token from a service account (`vertex/`), deployment URLs (`azure/`).
 * When the caller's wire format is not the upstream's (Anthropic Messages served by Claude on
 * Bedrock or Vertex) the adapter also translates, and says how the response comes back.
 */
export type UpstreamCall = {
  readonly endpoint: Endpoint;
  readonly ingress: Ingress;
  readonly route: Route;
  /** The caller's path without the query. */
  readonly path: string;
  /** The caller's query without credentials: `''` or `?…`. */
  readonly query: string;
  readonly rawHeaders: readonly string[];
  /** The matching grants' `add_headers`. */
  readonly grantHeaders: readonly (readonly [string, string])[];
  /** The request body as parsed once. */
  readonly json: Record<string, unknown>;
  readonly text: string;
  /** The caller's bytes with the gateway's generic edits (upstream model name, include_usage). */
  readonly body: Buffer;
  readonly stream: boolean;
};

export type UpstreamRequest = {
  readonly origin: string;
  /** Path and query. */
  readonly path: string;
  readonly headers: HeaderMap;
  readonly body: Buffer;
  /** Set on translated calls: how the upstream's answer is turned into the caller's dialect. */
  readonly response?: ResponsePlan;
};

export type ResponsePlan = {
  /**
   * Wraps the caller-dialect tap for a successful streamed answer whose framing the caller does not
   * speak (Bedrock's event-stream → Anthropic SSE). The wrapper's output is what the client sees.
   */
  reframe?: { contentType: string; wrap(tap: Tap): Tap; applies(contentType: string): boolean };
  /** A successful non-streamed answer rewritten whole (Bedrock CountTokens → Anthropic's shape). */
  rewriteBody?(body: Buffer): Buffer;
  /** An error answer in the caller's dialect, with the upstream's status; undefined relays it as it is. */
  mapError?(status: number, headers: ResponseHeaders, body: Buffer): GatewayError | undefined;
};

export interface ProviderAdapter {
  /** Builds (and signs) the upstream request; may await a token or credentials. */
  prepare(call: UpstreamCall): UpstreamRequest | Promise<UpstreamRequest>;
  /**
   * The upstream refused the request: may one fresh `prepare` fix it (an expired token invalidated,
   * a skewed clock corrected)? Asked at most once per call.
   */
  retry?(status: number, headers: ResponseHeaders, request: UpstreamRequest): boolean;
}
