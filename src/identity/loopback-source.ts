import type { Identity, IdentitySourceResolver } from './identity.ts';
import { isLoopback } from './identity.ts';

const loopback: Identity = { login: '(loopback)', kind: 'loopback', source: 'loopback', tags: [], groups: [], capMap: {} };

/** Development: a caller on this machine is Aperture's `(loopback)` principal. */
export function createLoopbackSource(): IdentitySourceResolver {
  return {
    source: 'loopback',
    resolve: (request) => (isLoopback(request.peer.address) ? { type: 'identified', identity: loopback } : { type: 'pass', reason: 'not a loopback peer' }),
  };
}
