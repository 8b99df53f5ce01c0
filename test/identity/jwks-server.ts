// A JWKS endpoint on 127.0.0.1 for the OIDC tests: serves whichever public keys it is given, counts
// fetches (to see the gateway's JWKS cache and its refetch on an unknown key id), and can fail.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';

export type SigningKey = { kid: string; alg: string; privateKey: CryptoKey; publicJwk: JWK };

export async function makeKey(kid: string, alg: 'RS256' | 'ES256' | 'EdDSA' = 'RS256'): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

export type JwksServer = {
  url: string;
  /** How many times the key set was fetched. */
  fetches: number;
  setKeys(keys: SigningKey[]): void;
  /** Answer with this status (and an HTML body) instead of the key set; undefined = normal. */
  failWith(status: number | undefined): void;
  close(): Promise<void>;
};

export async function startJwksServer(keys: SigningKey[]): Promise<JwksServer> {
  let current = keys;
  let failure: number | undefined;
  const sockets = new Set<Socket>();
  const state = { fetches: 0 };
  const server = http.createServer((req, res) => {
    state.fetches++;
    if (failure !== undefined) return void res.writeHead(failure, { 'content-type': 'text/html' }).end('<html>upstream error</html>');
    res.writeHead(200, { 'content-type': 'application/jwk-set+json' }).end(JSON.stringify({ keys: current.map((key) => key.publicJwk) }));
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    get fetches() {
      return state.fetches;
    },
    setKeys(next) {
      current = next;
    },
    failWith(status) {
      failure = status;
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

/** A signed JWT with sensible defaults (5 minutes, issued now). */
export async function signToken(
  key: SigningKey,
  options: { issuer: string; audience: string | string[]; claims?: JWTPayload; kid?: string; expiresAt?: number; notBefore?: number; alg?: string },
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT(options.claims ?? {})
    .setProtectedHeader({ alg: options.alg ?? key.alg, kid: options.kid ?? key.kid, typ: 'JWT' })
    .setIssuer(options.issuer)
    .setAudience(options.audience)
    .setIssuedAt(now)
    .setExpirationTime(options.expiresAt ?? now + 300);
  if (options.notBefore !== undefined) jwt.setNotBefore(options.notBefore);
  return jwt.sign(key.privateKey);
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An unsecured JWT (`alg: none`, empty signature). */
export function unsignedToken(payload: JWTPayload): string {
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload)}.`;
}

/** HS256 with the given secret: the classic confusion attack uses the issuer's public key as the secret. */
export async function hmacToken(secret: Uint8Array, payload: JWTPayload, kid: string): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg: 'HS256', kid, typ: 'JWT' }).sign(secret);
}

/** The same token with its payload replaced (the signature no longer matches). */
export function tamper(token: string, payload: JWTPayload): string {
  const [header, , signature] = token.split('.');
  return `${header}.${b64(payload)}.${signature}`;
}
