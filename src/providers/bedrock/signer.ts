import type { BedrockSettings } from '../../config/config.ts';
import type { HeaderMap } from '../../proxy/headers.ts';

// SigV4 for Bedrock Runtime with the packages the AWS SDK itself uses: @smithy/signature-v4 and,
// for credentials without static keys, @aws-sdk/credential-providers' Node chain (environment,
// shared config and credentials files incl. SSO/assume-role/credential_process, web identity,
// ECS/EC2 metadata). Signing name `bedrock` (providers.md §1.5). Both load on first use.

type AwsCredentialIdentity = { accessKeyId: string; secretAccessKey: string; sessionToken?: string; expiration?: Date };
type Credentials = (options?: { forceRefresh?: boolean }) => Promise<AwsCredentialIdentity>;
type Signer = { sign(request: object, options: { signingDate: Date }): Promise<{ headers: Record<string, string> }> };

export type SigV4 = {
  /** The headers to add: host, x-amz-date, x-amz-content-sha256, x-amz-security-token, authorization. */
  sign(url: URL, path: string, headers: Record<string, string>, body: Buffer): Promise<HeaderMap>;
  /** The server's clock minus ours, learned from a clock-skew refusal. */
  clockOffsetMs: number;
  /** The next signature re-resolves the credentials (after an ExpiredToken refusal). */
  refreshCredentials(): void;
  /** Whether credentials come from a provider that can be refreshed (not static keys). */
  readonly refreshable: boolean;
};

function credentialsFrom(settings: BedrockSettings): Credentials {
  if (settings.accessKeyId && settings.secretAccessKey) {
    const identity: AwsCredentialIdentity = { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey, sessionToken: settings.sessionToken };
    return () => Promise.resolve(identity);
  }
  // The chain memoizes and refreshes credentials that expire within five minutes.
  let chain: Promise<Credentials> | undefined;
  return async (options) => {
    chain ??= import('@aws-sdk/credential-providers').then(({ fromNodeProviderChain }) => fromNodeProviderChain(settings.profile ? { profile: settings.profile } : {}) as Credentials);
    return (await chain)(options);
  };
}

export function createSigV4(settings: BedrockSettings, region: string, options: { now?: () => number } = {}): SigV4 {
  const now = options.now ?? Date.now;
  const resolve = credentialsFrom(settings);
  let forceRefresh = false;
  const credentials = () => {
    const force = forceRefresh;
    forceRefresh = false;
    return resolve(force ? { forceRefresh: true } : undefined);
  };
  let signer: Promise<Signer> | undefined;
  const load = (): Promise<Signer> =>
    (signer ??= Promise.all([import('@smithy/signature-v4'), import('@smithy/core/serde')]).then(
      ([{ SignatureV4 }, { Hash }]) =>
        // Hash is node:crypto's SHA-256 (what the SDK uses on Node); uriEscapePath double-encodes the
        // already percent-encoded model id in the canonical URI, as non-S3 services require.
        new SignatureV4({ service: 'bedrock', region, credentials, sha256: Hash.bind(null, 'sha256'), uriEscapePath: true, applyChecksum: true }) as unknown as Signer,
    ));

  const sigv4: SigV4 = {
    clockOffsetMs: 0,
    refreshable: !(settings.accessKeyId && settings.secretAccessKey),
    refreshCredentials() {
      forceRefresh = true;
    },
    async sign(url, path, headers, body) {
      const [pathname, search = ''] = path.split(/\?(.*)/s, 2);
      const query: Record<string, string> = {};
      for (const [key, value] of new URLSearchParams(search)) query[key] = value;
      const signed = await (await load()).sign(
        {
          method: 'POST',
          protocol: url.protocol,
          hostname: url.hostname,
          port: url.port ? Number(url.port) : undefined,
          path: pathname,
          query,
          headers: { host: url.host, ...headers },
          body,
        },
        { signingDate: new Date(now() + sigv4.clockOffsetMs) },
      );
      return signed.headers;
    },
  };
  return sigv4;
}
