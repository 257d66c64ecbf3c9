/**
 * Closes connections that never complete the HTTP/2 handshake. grpc-js keeps a TCP connection
 * that never sends the client preface and SETTINGS (or sends garbage) open forever, and its idle
 * and age limits only apply to connections that did speak HTTP/2: 500 silent sockets held 500
 * descriptors. Every new session gets a timer; the peer's first SETTINGS frame cancels it,
 * otherwise the session and its socket are destroyed.
 *
 * grpc-js does not expose its HTTP/2 servers; they are read from its (private) `http2Servers`
 * map, which the pinned grpc-js version has. If the field is missing this does nothing and says
 * so, rather than failing the server.
 */
import type { Http2Server, Http2Session } from 'node:http2';
import type { Socket } from 'node:net';
import type { Server } from '@grpc/grpc-js';
import type { Logger } from 'pino';

/** Arms the handshake timer on every session of `server`'s bound ports; call after bindAsync. Returns false when unsupported. */
export function enforceHandshakeTimeout(server: Server, timeoutMs: number, logger: Logger): boolean {
  const http2Servers = (server as unknown as { http2Servers?: Map<Http2Server, unknown> }).http2Servers;
  if (!(http2Servers instanceof Map)) {
    logger.warn('cannot reach the HTTP/2 servers of this grpc-js version: connections that never complete the handshake are not closed');
    return false;
  }
  for (const http2Server of http2Servers.keys()) {
    // Node creates the session inside its own 'connection' listener and emits 'session' there;
    // a listener put in front of it sees the raw socket first (the session only exposes a proxy
    // that may not be destroyed).
    let arriving: Socket | undefined;
    http2Server.prependListener('connection', (socket: Socket) => {
      arriving = socket;
    });
    http2Server.on('session', (session: Http2Session) => {
      const socket = arriving;
      arriving = undefined;
      const timer = setTimeout(() => {
        logger.debug({ timeoutMs }, 'closing a connection that did not complete the HTTP/2 handshake');
        session.destroy();
        socket?.destroy();
      }, timeoutMs);
      timer.unref();
      session.once('remoteSettings', () => clearTimeout(timer));
      session.once('close', () => clearTimeout(timer));
    });
  }
  return true;
}
