import { request } from '../node-http.ts';
import { isIPv6 } from 'node:net';

/** tailscaled rejects any other Host on its LocalAPI (`invalid localapi request`, tailscale-identity.md §1.1). */
const localApiHost = 'local-tailscaled.sock';

export class LocalApiError extends Error {}

/** GET on tailscaled's LocalAPI unix socket, with a deadline. */
export function localApiGet(socketPath: string, path: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, method: 'GET', headers: { host: localApiHost }, signal: AbortSignal.timeout(timeoutMs) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (error) => reject(new LocalApiError(`tailscaled answer broke off: ${error.message}`)));
    });
    req.on('error', (error: NodeJS.ErrnoException) =>
      reject(new LocalApiError(error.name === 'TimeoutError' || error.name === 'AbortError' ? 'tailscaled did not answer in time' : `tailscaled unreachable (${error.code ?? error.message})`)),
    );
    req.end();
  });
}

/** `IP:port` (`[v6]:port`), or the bare IP when the port is unknown (a forwarded address). */
export function whoisAddress(address: string, port?: number): string {
  if (port === undefined) return address;
  return isIPv6(address) ? `[${address}]:${port}` : `${address}:${port}`;
}

// int64 IDs may exceed 2^53 for old nodes; we key on StableID and LoginName, but parse them as strings
// so no precision is silently lost (tailscale-identity.md §1.3).
const bigIds = /("(?:ID|User|Sharer)"\s*:\s*)(-?\d{16,})/g;

export type WhoIsResponse = {
  Node?: { StableID?: string; Name?: string; ComputedName?: string; Tags?: string[] | null; Hostinfo?: { OS?: string } };
  UserProfile?: { LoginName?: string; DisplayName?: string; Groups?: string[] };
  CapMap?: Record<string, unknown[] | null> | null;
};

/** `null` when the address is not a tailnet peer (404). Throws LocalApiError when tailscaled cannot answer. */
export async function whois(socketPath: string, addr: string, timeoutMs: number): Promise<WhoIsResponse | null> {
  const { status, body } = await localApiGet(socketPath, `/localapi/v0/whois?addr=${encodeURIComponent(addr)}`, timeoutMs);
  if (status === 404) return null;
  if (status !== 200) throw new LocalApiError(`tailscaled whois answered ${status}: ${body.trim().slice(0, 200)}`);
  try {
    const parsed: unknown = JSON.parse(body.replace(bigIds, '$1"$2"'));
    if (typeof parsed !== 'object' || parsed === null) throw new Error('not an object');
    return parsed as WhoIsResponse;
  } catch {
    throw new LocalApiError('tailscaled whois answered with something that is not JSON');
  }
}
