/**
 * A TCP proxy in front of the test server, so a test can cut the connection under a live call
 * (the server then loses the stream) and refuse new connections for a while.
 */
import net from 'node:net';

export interface TcpProxy {
  readonly address: string;
  /** Connections accepted so far. */
  readonly connections: () => number;
  /** Destroys every open connection (both sides). */
  drop(): void;
  /** While refusing, new connections are closed at once. */
  refuse(on: boolean): void;
  close(): Promise<void>;
}

/** Starts a proxy on 127.0.0.1:0 forwarding to `target` (`host:port`). */
export async function startTcpProxy(target: string): Promise<TcpProxy> {
  const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
  const open = new Set<net.Socket>();
  let refusing = false;
  let accepted = 0;
  const server = net.createServer((client) => {
    if (refusing) {
      client.destroy();
      return;
    }
    accepted++;
    const upstream = net.connect(port, host);
    open.add(client).add(upstream);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  const drop = (): void => {
    for (const s of open) s.destroy();
    open.clear();
  };
  return {
    address,
    connections: () => accepted,
    drop,
    refuse(on) {
      refusing = on;
    },
    async close() {
      drop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
