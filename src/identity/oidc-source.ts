import type { JWTPayload, errors as JoseErrors } from 'jose';
import type { IdentitySourceResolver, RequestView, SourceResult } from './identity.ts';

export type OidcIssuer = {
  issuer: string;
  audience: string;
  jwksUrl: string;
  /** `{claim}` placeholders filled from the token, e.g. GitHub Actions `repo:{repository}@{ref}`. Default `{email}` or `{sub}`. */
  login?: string;
  groupsClaim?: string;
};

// Asymmetric algorithms only: `none` and HMAC (a shared secret any holder could sign with) are refused.
const algorithms = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'EdDSA'];

function bearerToken(request: RequestView): string | undefined {
  const authorization = request.header('authorization');
  const token = authorization?.toLowerCase().startsWith('bearer ') ? authorization.slice(7).trim() : request.header('x-api-key');
  // Only a JWT is ours to judge; a placeholder key (`-`, `tailgate`) is for other sources.
  return token && /^[\w-]+\.[\w-]+\.[\w-]*$/.test(token) ? token : undefined;
}

// jose is loaded by the first OIDC source only: a gateway without one never holds it (8 MB of RSS at import).
type Jose = typeof import('jose');

/** Errors that are the token's fault, as opposed to the issuer's key endpoint failing. */
function tokenFault({ errors }: Jose, error: unknown): boolean {
  return (
    error instanceof errors.JWTExpired ||
    error instanceof errors.JWTClaimValidationFailed ||
    error instanceof errors.JWTInvalid ||
    error instanceof errors.JWSInvalid ||
    error instanceof errors.JWSSignatureVerificationFailed ||
    error instanceof errors.JOSEAlgNotAllowed ||
    error instanceof errors.JOSENotSupported ||
    error instanceof errors.JWKSNoMatchingKey ||
    error instanceof errors.JWKSMultipleMatchingKeys ||
    error instanceof errors.JWKInvalid
  );
}

function fill(template: string, claims: JWTPayload): string | undefined {
  let missing = false;
  const login = template.replace(/\{([\w.-]+)\}/g, (_whole, name: string) => {
    const value = claims[name];
    if (typeof value !== 'string' && typeof value !== 'number') missing = true;
    return String(value ?? '');
  });
  return missing ? undefined : login;
}

/**
 * Machines outside the tailnet (CI runners, other clouds) present an OIDC JWT. Signature, expiry,
 * issuer and audience are verified with jose; each issuer's JWKS is cached and refetched when a
 * token names a key id it has not seen. A JWT that fails is refused, never passed on.
 */
export function createOidcSource(issuers: readonly OidcIssuer[]): IdentitySourceResolver {
  const loaded = import('jose').then((jose) => ({
    jose,
    keySets: new Map(issuers.map((issuer) => [issuer.issuer, jose.createRemoteJWKSet(new URL(issuer.jwksUrl), { cooldownDuration: 30_000 })])),
  }));
  return {
    source: 'oidc',
    async resolve(request): Promise<SourceResult> {
      const token = bearerToken(request);
      if (!token) return { type: 'pass', reason: 'no bearer token' };
      const { jose, keySets } = await loaded;
      let unverified: JWTPayload;
      try {
        unverified = jose.decodeJwt(token);
      } catch {
        return { type: 'refused', status: 401, message: 'invalid token: malformed JWT' };
      }
      const issuer = issuers.find((candidate) => candidate.issuer === unverified.iss);
      if (!issuer) return { type: 'refused', status: 401, message: 'invalid token: unknown issuer' };
      try {
        const { payload } = await jose.jwtVerify(token, keySets.get(issuer.issuer)!, { issuer: issuer.issuer, audience: issuer.audience, algorithms });
        const login = fill(issuer.login ?? (payload.email ? '{email}' : '{sub}'), payload);
        if (!login) return { type: 'refused', status: 401, message: 'invalid token: a claim the login needs is missing' };
        const groupsValue = issuer.groupsClaim ? payload[issuer.groupsClaim] : undefined;
        const groups = Array.isArray(groupsValue) ? groupsValue.filter((group): group is string => typeof group === 'string') : [];
        return { type: 'identified', identity: { login, kind: 'workload', source: 'oidc', tags: [], groups, capMap: {} } };
      } catch (error) {
        if (tokenFault(jose, error)) return { type: 'refused', status: 401, message: `invalid token: ${(error as JoseErrors.JOSEError).code}` };
        // The issuer's key set could not be had (down, 5xx, timeout): the token may be fine. Fail closed.
        return { type: 'refused', status: 503, message: 'identity service unavailable: token keys could not be fetched' };
      }
    },
  };
}
