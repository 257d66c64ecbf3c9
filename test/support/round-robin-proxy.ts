/**
 * A small TCP proxy on loopback that stands in for a Kubernetes Service in front of several
 * server replicas: each new client connection goes to the next backend in turn (round robin per
 * connection, as kube-proxy does), a backend that refuses the connection is skipped, a backend can
 * be taken out of the rotation (the Service stops routing to a dead or draining pod), and the
 * proxy can cut the connections it carries (a node that vanished, a proxy restart).
 *
 * Bytes are copied as they are; the proxy knows nothing of HTTP/2 or gRPC. A gRPC channel keeps
 * one connection, so "per connection" means "per channel and per reconnect".
 */
import net from 'node:net';

/** One proxied connection: which backend carries it, and both sockets. */
interface Carried {
  readonly backend: string;
  readonly client: net.Socket;
  readonly upstream: net.Socket;
}

/** Options of {@link startRoundRobinProxy}. */
export interface RoundRobinProxyOptions {
  /** How long one backend may take to accept before the next is tried (default 1000 ms). */
  readonly connectTimeoutMs?: number;
}

/** A running proxy. */
export interface RoundRobinProxy {
  /** `127.0.0.1:<port>`, the address clients dial. */
  readonly address: string;
  readonly port: number;
  /** Backends currently in the rotation, in rotation order. */
  backends(): string[];
  /** Adds a backend (`host:port`) to the end of the rotation. */
  addBackend(backend: string): void;
  /**
   * Takes a backend out of the rotation: new connections no longer go there. With
   * `closeConnections`, its open connections are cut too (a dead pod's endpoint removed).
   */
  dropBackend(backend: string, options?: { closeConnections?: boolean }): void;
  /** Cuts open connections (all, or only those to `backend`); returns how many were cut. */
  closeConnections(backend?: string): number;
  /** Open connections per backend. */
  openConnections(): Map<string, number>;
  /** The backend every accepted connection went to, in order (`null`: every backend refused). */
  readonly routes: (string | null)[];
  /** Stops accepting and cuts every open connection. */
  close(): Promise<void>;
}

/** Splits `host:port`. */
function hostPort(backend: string): { host: string; port: number } {
  const colon = backend.lastIndexOf(':');
  return { host: backend.slice(0, colon), port: Number(backend.slice(colon + 1)) };
}

/** Connects to `backend`; resolves with the socket, or null when it refuses or does not answer in time. */
function dial(backend: string, timeoutMs: number): Promise<net.Socket | null> {
  return new Promise((resolve) => {
    const socket = net.connect(hostPort(backend));
    const fail = (): void => {
      socket.destroy();
      resolve(null);
    };
    socket.setTimeout(timeoutMs, fail);
    socket.once('error', fail);
    socket.once('connect', () => {
      socket.setTimeout(0);
      socket.removeListener('error', fail);
      resolve(socket);
    });
  });
}

/** Starts a proxy on `127.0.0.1:0` over `backends` (`host:port` each). */
export async function startRoundRobinProxy(backends: readonly string[], options: RoundRobinProxyOptions = {}): Promise<RoundRobinProxy> {
  const connectTimeoutMs = options.connectTimeoutMs ?? 1000;
  const rotation = [...backends];
  const carried = new Set<Carried>();
  const routes: (string | null)[] = [];
  let next = 0;

  /** Tries each backend once, starting at the next in turn; the first that accepts wins. */
  async function connectUpstream(): Promise<{ backend: string; socket: net.Socket } | null> {
    const candidates = rotation.length;
    for (let tried = 0; tried < candidates && rotation.length > 0; tried += 1) {
      const backend = rotation[next % rotation.length]!;
      next = (next + 1) % rotation.length;
      const socket = await dial(backend, connectTimeoutMs);
      if (socket !== null) return { backend, socket };
    }
    return null;
  }

  function carry(client: net.Socket): void {
    client.on('error', () => client.destroy());
    const routeIndex = routes.push(null) - 1;
    void connectUpstream().then((upstream) => {
      if (upstream === null || client.destroyed) {
        upstream?.socket.destroy();
        client.destroy();
        return;
      }
      routes[routeIndex] = upstream.backend;
      const entry: Carried = { backend: upstream.backend, client, upstream: upstream.socket };
      carried.add(entry);
      const end = (): void => {
        carried.delete(entry);
        client.destroy();
        upstream.socket.destroy();
      };
      upstream.socket.on('error', end);
      upstream.socket.on('close', end);
      client.on('close', end);
      client.pipe(upstream.socket);
      upstream.socket.pipe(client);
      client.resume();
    });
  }

  function closeConnections(backend?: string): number {
    let cut = 0;
    for (const entry of [...carried]) {
      if (backend !== undefined && entry.backend !== backend) continue;
      carried.delete(entry);
      // resetAndDestroy sends an RST like a vanished peer's kernel would, not a polite FIN.
      entry.client.resetAndDestroy();
      entry.upstream.destroy();
      cut += 1;
    }
    return cut;
  }

  const server = net.createServer({ pauseOnConnect: true }, carry);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;

  return {
    address: `127.0.0.1:${port}`,
    port,
    routes,
    backends: () => [...rotation],
    addBackend(backend) {
      rotation.push(backend);
    },
    dropBackend(backend, dropOptions = {}) {
      const index = rotation.indexOf(backend);
      if (index >= 0) {
        rotation.splice(index, 1);
        if (index < next) next -= 1;
        if (rotation.length > 0) next %= rotation.length;
        else next = 0;
      }
      if (dropOptions.closeConnections === true) closeConnections(backend);
    },
    closeConnections,
    openConnections() {
      const counts = new Map<string, number>();
      for (const entry of carried) counts.set(entry.backend, (counts.get(entry.backend) ?? 0) + 1);
      return counts;
    },
    close() {
      closeConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
