import type { IncomingMessage } from 'node:http';
import type { RequestView } from './identity.ts';

/** What identity sources may look at: the socket's peer and the request headers. */
export function requestView(request: IncomingMessage): RequestView {
  return {
    peer: { address: request.socket.remoteAddress ?? '', port: request.socket.remotePort ?? 0 },
    header(name) {
      const value = request.headers[name];
      return Array.isArray(value) ? value.join(', ') : value;
    },
  };
}
