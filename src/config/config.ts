import type { CompatFlag } from '../dialects/dialect.ts';
import type { IdentityConfig } from '../identity/identity-config.ts';
import type { RetentionConfig, StorageConfig } from './validate-storage.ts';

export type Authorization = 'bearer' | 'x-api-key' | 'x-goog-api-key';
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
