import net from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { startRoundRobinProxy, type RoundRobinProxy } from '../../support/round-robin-proxy.js';

/** A loopback TCP server that greets every connection with its name, then echoes. */
interface NamedBackend {
  readonly name: string;
  readonly address: string;
  readonly sockets: Set<net.Socket>;
  close(): Promise<void>;
}

async function startBackend(name: string): Promise<NamedBackend> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.write(`${name}\n`);
    socket.pipe(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  return {
    name,
    address,
    sockets,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A loopback address nothing listens on (a port that was just freed). */
async function refusingAddress(): Promise<string> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return address;
}

/** Connects through the proxy and reads the greeting line (the backend's name). */
async function greet(proxy: RoundRobinProxy): Promise<{ socket: net.Socket; name: string }> {
  const socket = net.connect({ host: '127.0.0.1', port: proxy.port });
  socket.on('error', () => undefined);
  const name = await new Promise<string>((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer): void => {
      text += chunk.toString();
      if (!text.includes('\n')) return;
      socket.off('data', onData);
      resolve(text.split('\n')[0]!);
    };
    socket.on('data', onData);
    socket.once('close', () => reject(new Error(`closed before a greeting (got ${JSON.stringify(text)})`)));
  });
  return { socket, name };
}

/** Resolves once `socket` has closed; the value says whether it saw an error (e.g. a reset). */
function closed(socket: net.Socket): Promise<boolean> {
  if (socket.closed) return Promise.resolve(socket.errored !== null);
  return new Promise((resolve) => socket.once('close', (hadError: boolean) => resolve(hadError)));
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp(names: string[]): Promise<{ backends: NamedBackend[]; proxy: RoundRobinProxy }> {
  const backends = await Promise.all(names.map(startBackend));
  for (const backend of backends) cleanups.push(() => backend.close());
  const proxy = await startRoundRobinProxy(backends.map((b) => b.address));
  cleanups.push(() => proxy.close());
  return { backends, proxy };
}

describe('round-robin proxy', () => {
  it('sends each new connection to the next backend in turn and copies bytes both ways', async () => {
    const { proxy, backends } = await setUp(['a', 'b', 'c']);
    const names: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      const { socket, name } = await greet(proxy);
      names.push(name);
      socket.destroy();
    }
    expect(names).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
    expect(proxy.routes).toEqual([...backends, ...backends].map((b) => b.address));

    const { socket } = await greet(proxy);
    socket.write('ping\n');
    const [echo] = (await once(socket, 'data')) as [Buffer];
    expect(echo.toString()).toBe('ping\n');
    socket.destroy();
  });

  it('skips a backend that refuses connections', async () => {
    const { proxy, backends } = await setUp(['a', 'b', 'c']);
    await backends[1]!.close();
    const names: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      const { socket, name } = await greet(proxy);
      names.push(name);
      socket.destroy();
    }
    expect(names).toEqual(['a', 'c', 'a', 'c']);
  });

  it('closes the client connection when every backend refuses', async () => {
    const proxy = await startRoundRobinProxy([await refusingAddress(), await refusingAddress()]);
    cleanups.push(() => proxy.close());
    const socket = net.connect({ host: '127.0.0.1', port: proxy.port });
    socket.on('error', () => undefined);
    await closed(socket);
    expect(proxy.routes).toEqual([null]);
  });

  it('routes nothing new to a dropped backend and keeps its open connections unless told to cut them', async () => {
    const { proxy, backends } = await setUp(['a', 'b']);
    const first = await greet(proxy);
    expect(first.name).toBe('a');

    proxy.dropBackend(backends[0]!.address);
    expect(proxy.backends()).toEqual([backends[1]!.address]);
    const names: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const { socket, name } = await greet(proxy);
      names.push(name);
      socket.destroy();
    }
    expect(names).toEqual(['b', 'b', 'b']);

    // The connection that was open before the drop still carries bytes.
    first.socket.write('still here\n');
    const [echo] = (await once(first.socket, 'data')) as [Buffer];
    expect(echo.toString()).toBe('still here\n');

    const firstClosed = closed(first.socket);
    proxy.dropBackend(backends[0]!.address, { closeConnections: true });
    await firstClosed;
    expect(proxy.openConnections().get(backends[0]!.address)).toBeUndefined();
  });

  it('takes a backend added later into the rotation', async () => {
    const { proxy } = await setUp(['a']);
    const late = await startBackend('z');
    cleanups.push(() => late.close());
    proxy.addBackend(late.address);
    const names: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      const { socket, name } = await greet(proxy);
      names.push(name);
      socket.destroy();
    }
    expect(names.sort()).toEqual(['a', 'a', 'z', 'z']);
  });

  it('cuts open connections with a reset, per backend or all, and counts them', async () => {
    const { proxy, backends } = await setUp(['a', 'b']);
    const toA = await greet(proxy);
    const toB = await greet(proxy);
    expect(proxy.openConnections()).toEqual(new Map([[backends[0]!.address, 1], [backends[1]!.address, 1]]));

    const aClosed = closed(toA.socket);
    expect(proxy.closeConnections(backends[0]!.address)).toBe(1);
    expect(await aClosed).toBe(true); // an error: ECONNRESET
    expect(toB.socket.destroyed).toBe(false);
    // The backend side of the cut connection is gone too.
    await expect.poll(() => backends[0]!.sockets.size).toBe(0);

    const bClosed = closed(toB.socket);
    expect(proxy.closeConnections()).toBe(1);
    await bClosed;
    expect(proxy.openConnections().size).toBe(0);
  });
});
