import { compatFlags, type CompatFlag } from '../dialects/dialect.ts';
import { readCloudSettings, readProviderType } from './validate-cloud.ts';
import { readGroups, readIdentity } from './validate-identity.ts';
import { readRetention, readStorage } from './validate-storage.ts';
import { defaultLimits, defaultTimeouts, type AuthMode, type Authorization, type Config, type ConfigProblem, type ModelCostMapping, type ProviderConfig } from './config.ts';

type Json = Record<string, unknown>;

// Aperture's top-level keys (aperture.md §2.2), then ours.
const topLevelKeys = new Set([
  'providers', 'grants', 'temp_grants', 'quotas', 'hooks', 'exporters', 'auto_cost_basis', 'mcp', 'connectors', 'database', 'flags',
  'listen', 'data_dir', 'limits', 'timeouts', 'identity', 'storage', 'redis', 'groups',
]);
const providerKeys = new Set([
  'baseurl', 'apikey', 'models', 'authorization', 'auth_mode', 'compatibility', 'cost_basis', 'model_cost_map', 'preference',
  'disabled', 'add_headers', 'name', 'description', 'tailnet', 'type', 'bedrock', 'vertex', 'azure',
]);
const authorizations = new Set<string>(['bearer', 'x-api-key', 'x-goog-api-key', 'api-key']);
const authModes = new Set<string>(['', 'override', 'passthrough', 'none']);

/** Collects problems while reading loosely typed JSON; a mistyped field is a warning and falls back to its default. */
class Reader {
  readonly problems: ConfigProblem[] = [];
  warn(message: string): void {
    this.problems.push({ severity: 'warning', message });
  }
  error(message: string): void {
    this.problems.push({ severity: 'error', message });
  }
  unknownKeys(object: Json, known: Set<string>, path: string): void {
    for (const key of Object.keys(object)) if (!known.has(key)) this.warn(`unknown config key "${path}${key}"`);
  }
  typed<T>(object: Json, key: string, path: string, type: 'string' | 'number' | 'boolean' | 'object' | 'array', fallback: T): T {
    const value = object[key];
    if (value === undefined || value === null) return fallback;
    const actual = Array.isArray(value) ? 'array' : typeof value;
    if (actual === type) return value as T;
    this.warn(`config key "${path}${key}" must be ${type === 'array' || type === 'object' ? 'an' : 'a'} ${type}, got ${actual}`);
    return fallback;
  }
}

function readAddHeaders(reader: Reader, entries: unknown[]): [string, string][] {
  const headers: [string, string][] = [];
  for (const entry of entries) {
    const match = typeof entry === 'string' ? /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):\s*(.*)$/.exec(entry) : null;
    if (!match) {
      reader.warn(`add_headers entry "${String(entry)}" must be in "Header-Name: value" format`);
      continue;
    }
    headers.push([match[1].toLowerCase(), match[2]]);
  }
  return headers;
}

function readCompatibility(reader: Reader, raw: Json | undefined, path: string): Record<CompatFlag, boolean> {
  // Without a block only openai_chat is on; with one, every flag is as written (aperture.md §3.2).
  const flags = Object.fromEntries(compatFlags.map((flag) => [flag, raw === undefined && flag === 'openai_chat'])) as Record<CompatFlag, boolean>;
  if (raw === undefined) return flags;
  reader.unknownKeys(raw, new Set(compatFlags), path);
  for (const flag of compatFlags) flags[flag] = reader.typed(raw, flag, path, 'boolean', false);
  return flags;
}

function readCostMap(reader: Reader, entries: unknown[], path: string): ModelCostMapping[] {
  const mappings: ModelCostMapping[] = [];
  entries.forEach((entry, index) => {
    const object = (typeof entry === 'object' && entry !== null ? entry : {}) as Json;
    const match = reader.typed(object, 'match', `${path}[${index}].`, 'string', '');
    const as = reader.typed(object, 'as', `${path}[${index}].`, 'string', '');
    if (!match || !as) return reader.warn(`${path}[${index}] needs "match" and "as"`);
    mappings.push({ match, as, adjustment: reader.typed(object, 'adjustment', `${path}[${index}].`, 'number', 1) });
  });
  return mappings;
}

function readProvider(reader: Reader, id: string, raw: unknown): ProviderConfig | undefined {
  const path = `providers.${id}.`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    reader.warn(`config key "providers.${id}" must be an object`);
    return undefined;
  }
  const object = raw as Json;
  reader.unknownKeys(object, providerKeys, path);
  const baseurl = reader.typed(object, 'baseurl', path, 'string', '');
  if (!baseurl) {
    reader.warn(`provider ${id} has no baseurl configured`);
    return undefined;
  }
  if (!URL.canParse(baseurl)) {
    reader.warn(`provider ${id} has an invalid baseurl`);
    return undefined;
  }
  let authMode = reader.typed(object, 'auth_mode', path, 'string', '');
  if (!authModes.has(authMode)) {
    reader.warn(`provider ${id} has invalid auth_mode: ${authMode}`);
    authMode = '';
  }
  const apikey = reader.typed(object, 'apikey', path, 'string', '');
  const models = reader.typed<unknown[]>(object, 'models', path, 'array', []).filter((model): model is string => typeof model === 'string');
  if (models.length === 0) reader.warn(`provider ${id} has no models configured`);
  const compatibility = readCompatibility(reader, reader.typed<Json | undefined>(object, 'compatibility', path, 'object', undefined), `${path}compatibility.`);
  const type = readProviderType(object, compatibility, apikey, id, reader);
  const cloud = readCloudSettings(object, type, id, reader);
  // Azure's own key header is `api-key`; everything else defaults to a bearer token (Aperture).
  let authorization = reader.typed(object, 'authorization', path, 'string', type === 'azure' ? 'api-key' : 'bearer');
  if (!authorizations.has(authorization)) {
    reader.warn(`provider ${id} has invalid authorization type: ${authorization}`);
    authorization = 'bearer';
  }
  // Without an API key the clouds use their own credential chains: AWS's for Bedrock, Google's
  // Application Default Credentials for Vertex, Azure's DefaultAzureCredential (or azure.entra).
  const keyless = type === 'bedrock' || type === 'vertex' || type === 'azure';
  if (!apikey && !keyless && (authMode === '' || authMode === 'override')) reader.warn(`provider ${id} has no apikey configured`);
  return {
    id,
    name: reader.typed(object, 'name', path, 'string', id),
    description: reader.typed(object, 'description', path, 'string', ''),
    baseurl,
    apikey,
    models,
    authorization: authorization as Authorization,
    authMode: (authMode || 'override') as AuthMode,
    compatibility,
    preference: reader.typed(object, 'preference', path, 'number', 0),
    disabled: reader.typed(object, 'disabled', path, 'boolean', false),
    addHeaders: readAddHeaders(reader, reader.typed<unknown[]>(object, 'add_headers', path, 'array', [])),
    costBasis: reader.typed<string | undefined>(object, 'cost_basis', path, 'string', undefined),
    modelCostMap: readCostMap(reader, reader.typed<unknown[]>(object, 'model_cost_map', path, 'array', []), `${path}model_cost_map`),
    type,
    ...cloud,
  };
}

/** Aperture's cross-field checks on grants (aperture.md §2.1). */
function checkGrants(reader: Reader, grants: unknown[], tempGrants: unknown[], providers: ProviderConfig[]): void {
  if (providers.length > 0 && grants.length === 0 && tempGrants.length === 0) {
    reader.warn('providers are configured but no grants or temp_grants defined; all access will be denied');
  }
  const text = JSON.stringify([grants, tempGrants]);
  if (!/"role"\s*:\s*"admin"/.test(text)) {
    reader.warn('no grant in grants or temp_grants assigns role:admin; nobody will be able to manage this instance');
  }
  const ids = providers.map((provider) => provider.id);
  for (const grant of grants) {
    const caps = ((grant as Json)?.app as Json | undefined)?.['tailscale.com/cap/aperture'];
    if (!Array.isArray(caps)) continue;
    for (const cap of caps) {
      const models = (cap as Json)?.models;
      for (const pattern of Array.isArray(models) ? models : [models]) {
        if (typeof pattern !== 'string' || !pattern.includes('/')) continue;
        const head = pattern.slice(0, pattern.indexOf('/'));
        const headPattern = new RegExp(`^${head.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*+/g, '.*')}$`);
        if (!ids.some((id) => headPattern.test(id))) {
          reader.warn(`models pattern "${pattern}" references provider "${head}" which does not match any declared provider`);
        }
      }
    }
  }
}

function positiveNumber(reader: Reader, object: Json, key: string, path: string, fallback: number): number {
  const value = reader.typed(object, key, path, 'number', fallback);
  if (value > 0) return value;
  reader.warn(`config key "${path}${key}" must be positive`);
  return fallback;
}

/** Validates a parsed (and env-substituted) document into a Config plus Aperture-style problems. */
export function validateConfig(document: unknown, options: { defaultDataDir: string; socketExists: (path: string) => boolean }): { config: Config; problems: ConfigProblem[] } {
  const reader = new Reader();
  const root = (typeof document === 'object' && document !== null && !Array.isArray(document) ? document : {}) as Json;
  if (root !== document) reader.error('config must be a JSON object');
  reader.unknownKeys(root, topLevelKeys, '');
  const providersRaw = reader.typed<Json>(root, 'providers', '', 'object', {});
  const providers = Object.entries(providersRaw)
    .map(([id, raw]) => readProvider(reader, id, raw))
    .filter((provider): provider is ProviderConfig => provider !== undefined);
  if (Object.keys(providersRaw).length === 0) reader.warn('no providers or mcp servers defined; users will not be able to access any models');
  const grants = reader.typed<unknown[]>(root, 'grants', '', 'array', []);
  const tempGrants = reader.typed<unknown[]>(root, 'temp_grants', '', 'array', []);
  checkGrants(reader, grants, tempGrants, providers);
  const limits = reader.typed<Json>(root, 'limits', '', 'object', {});
  const timeouts = reader.typed<Json>(root, 'timeouts', '', 'object', {});
  reader.unknownKeys(limits, new Set(['max_body_bytes']), 'limits.');
  reader.unknownKeys(timeouts, new Set(['connect_ms', 'headers_ms', 'idle_ms', 'request_body_ms']), 'timeouts.');
  const listen = reader.typed<string | undefined>(root, 'listen', '', 'string', undefined);
  const dataDir = reader.typed(root, 'data_dir', '', 'string', options.defaultDataDir);
  const retention = readRetention(root.database, reader);
  const config: Config = {
    providers,
    grants,
    tempGrants,
    groups: readGroups(root.groups, reader),
    identity: readIdentity(root.identity, reader, options),
    autoCostBasis: reader.typed(root, 'auto_cost_basis', '', 'boolean', true),
    listen,
    dataDir,
    storage: readStorage(root.storage, reader, dataDir, retention),
    retention,
    limits: { maxBodyBytes: positiveNumber(reader, limits, 'max_body_bytes', 'limits.', defaultLimits.maxBodyBytes) },
    timeouts: {
      connectMs: positiveNumber(reader, timeouts, 'connect_ms', 'timeouts.', defaultTimeouts.connectMs),
      headersMs: positiveNumber(reader, timeouts, 'headers_ms', 'timeouts.', defaultTimeouts.headersMs),
      idleMs: positiveNumber(reader, timeouts, 'idle_ms', 'timeouts.', defaultTimeouts.idleMs),
      requestBodyMs: positiveNumber(reader, timeouts, 'request_body_ms', 'timeouts.', defaultTimeouts.requestBodyMs),
    },
  };
  return { config, problems: reader.problems };
}
