import type { CompatFlag } from '../dialects/dialect.ts';
import type { IdentityConfig } from '../identity/identity-config.ts';
import type { RetentionConfig, StorageConfig } from './validate-storage.ts';

export type Authorization = 'bearer' | 'x-api-key' | 'x-goog-api-key' | 'api-key';

/**
 * How the gateway reaches a provider (`src/providers/<type>/`): `api-key` is a base URL and a key
 * header (Aperture's only kind); the clouds add signing, tokens and their own URL shapes.
 */
export type ProviderType = 'api-key' | 'bedrock' | 'vertex' | 'azure';
export const providerTypes: readonly ProviderType[] = ['api-key', 'bedrock', 'vertex', 'azure'];

/** `providers.<id>.bedrock` (ours). Without `apikey` (a Bedrock API key) requests are SigV4-signed. */
export type BedrockSettings = {
  /** Default: from the `bedrock-runtime.<region>.amazonaws.com` base URL. */
  readonly region?: string;
  /** Static keys; without them the standard AWS credential chain (env, shared config, web identity, metadata). */
  readonly accessKeyId?: string;
  /** Never logged, never returned by any API. */
  readonly secretAccessKey?: string;
  readonly sessionToken?: string;
  /** A named profile of the shared config for the credential chain. */
  readonly profile?: string;
};

/** `providers.<id>.vertex` (ours). */
export type VertexSettings = {
  /** Default: the service account's `project_id`, or with no key the one Application Default Credentials know. */
  readonly project?: string;
  /** Default: from the base URL (`{region}-aiplatform.googleapis.com`), else `global`. */
  readonly region?: string;
  /** A service-account key: a file path, the JSON, or its base64 (`apikey: "keyfile::…"` works too). Neither: ADC. */
  readonly keyfile?: string;
};

/** `providers.<id>.azure` (ours). */
export type AzureSettings = {
  /** `deployments`: `/openai/deployments/{deployment}/…?api-version=`; `v1`: `/openai/v1/…`. */
  readonly api: 'deployments' | 'v1';
  readonly apiVersion: string;
  /** Microsoft Entra ID instead of a key: an app registration's client credentials. */
  readonly entra?: EntraSettings;
};

/** The scope of Azure OpenAI and Foundry tokens. */
export const cognitiveServicesScope = 'https://cognitiveservices.azure.com/.default';

/** `providers.<id>.azure.entra`: the OAuth client-credentials grant at `{authority}/{tenant}/oauth2/v2.0/token`. */
export type EntraSettings = {
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Default `https://login.microsoftonline.com`; sovereign clouds have their own. */
  readonly authority: string;
  /** Default `https://cognitiveservices.azure.com/.default`. */
  readonly scope: string;
};
export type AuthMode = 'override' | 'passthrough' | 'none';

/** One upstream, in Aperture's vocabulary (aperture.md §2.3). */
export type ProviderConfig = {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly baseurl: string;
  /** Never logged, never returned by any API. */
  readonly apikey: string;
  readonly models: readonly string[];
  readonly authorization: Authorization;
  readonly authMode: AuthMode;
  readonly compatibility: Readonly<Record<CompatFlag, boolean>>;
  readonly preference: number;
  readonly disabled: boolean;
  /** `Header-Name: value` entries, parsed. */
  readonly addHeaders: readonly (readonly [string, string])[];
  readonly costBasis?: string;
  readonly modelCostMap: readonly ModelCostMapping[];
  readonly type: ProviderType;
  /** Configured model name → what the upstream is asked for (Bedrock/Vertex model ids, Azure deployments). */
  readonly upstreamModels: Readonly<Record<string, string>>;
  readonly bedrock?: BedrockSettings;
  readonly vertex?: VertexSettings;
  readonly azure?: AzureSettings;
};

export type ModelCostMapping = { readonly match: string; readonly as: string; readonly adjustment: number };

/** The validated configuration the gateway runs on. */
export type Config = {
  readonly providers: readonly ProviderConfig[];
  /** Grants stay raw until the access module compiles them. */
  readonly grants: readonly unknown[];
  readonly tempGrants: readonly unknown[];
  /** Named groups for grants' `group:…` selectors. */
  readonly groups: Readonly<Record<string, readonly string[]>>;
  readonly identity: IdentityConfig;
  readonly storage: StorageConfig;
  readonly retention: RetentionConfig;
  readonly autoCostBasis: boolean;
  readonly listen?: string;
  readonly dataDir: string;
  readonly limits: { readonly maxBodyBytes: number };
  readonly timeouts: {
    /** TCP connect to the upstream. */
    readonly connectMs: number;
    /** Until the upstream's response headers (a non-streaming answer may take minutes). */
    readonly headersMs: number;
    /** Longest silence between two body chunks. */
    readonly idleMs: number;
    /** For a client to finish sending its request body. */
    readonly requestBodyMs: number;
  };
};

export type ConfigProblem = { severity: 'error' | 'warning'; message: string };

export const defaultLimits = { maxBodyBytes: 32 * 1024 * 1024 };
export const defaultTimeouts = { connectMs: 10_000, headersMs: 600_000, idleMs: 300_000, requestBodyMs: 60_000 };
