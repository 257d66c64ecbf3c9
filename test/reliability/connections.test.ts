/**
 * Connection limits (issue 16, item 4): sockets that never complete the HTTP/2 handshake (silent,
 * or sending garbage) are closed after handshake-timeout-ms instead of being held forever; an
 * HTTP/2 connection without calls gets GOAWAY after max-connection-idle-ms; real calls keep
 * working throughout. Loopback only, 100 sockets.
 */
import { connect as connectHttp2 } from 'node:http2';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../support/grpc-calls.js';
import { startAppServer as startTestServer, type AppServer as TestServer } from '../support/app-server.js';

describe('connection limits', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ args: ['--handshake-timeout-ms', '500', '--max-connection-idle-ms', '500'] });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('closes 50 silent and 50 garbage-sending sockets that never complete the handshake', async () => {
    const [host, port] = [server.address.split(':')[0]!, Number(server.address.split(':')[1])];
    const started = Date.now();
    const closed = Array.from({ length: 100 }, (_, i) =>
      new Promise<number>((resolve) => {
        const socket = connect(port, host, () => {
          if (i % 2 === 1) socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n this is not HTTP/2');
        });
        socket.on('error', () => undefined);
        socket.resume(); // read, so that the server's close is seen
        socket.on('close', () => resolve(Date.now() - started));
      }),
    );
    const times = await Promise.all(closed);
    console.info(`[connections] 100 non-HTTP/2 sockets closed after ${Math.min(...times)}-${Math.max(...times)} ms (timeout 500 ms)`);
    expect(times).toHaveLength(100);
    expect((await call(server.client, 'getServiceInfo', {})).version).toBeTruthy();
  });

  it('sends GOAWAY to an HTTP/2 connection that stays idle, and keeps serving', async () => {
    const session = connectHttp2(`http://${server.address}`);
    session.on('error', () => undefined);
    const goaway = await new Promise<number>((resolve) => session.once('goaway', (code: number) => resolve(code)));
    expect(goaway).toBe(0);
    session.destroy();
    expect((await call(server.client, 'getServiceInfo', {})).version).toBeTruthy();
  });
});
