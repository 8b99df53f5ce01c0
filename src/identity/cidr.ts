import { isIP } from 'node:net';

export type Cidr = { network: string; bits: number; type: 'ipv4' | 'ipv6' };

/** `10.0.0.0/8`, `fd7a::/48`, or a bare address (a single host). Anything else is undefined — never "everything". */
export function parseCidr(text: string): Cidr | undefined {
  const match = /^([^/]+)(?:\/(\d{1,3}))?$/.exec(text.trim());
  if (!match) return undefined;
  const version = isIP(match[1]);
  if (version === 0) return undefined;
  const type = version === 6 ? 'ipv6' : 'ipv4';
  const max = type === 'ipv6' ? 128 : 32;
  const bits = match[2] === undefined ? max : Number(match[2]);
  return bits <= max ? { network: match[1], bits, type } : undefined;
}
