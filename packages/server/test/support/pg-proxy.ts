// PostgreSQL going away (a restart) for fault tests: a TCP proxy in front of the local server that
// can be cut — closed with every connection destroyed — and opened again on the same port.
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

export interface PgProxy {
  /** The database URL rewritten to go through the proxy. */
  url: string;
  cut(): Promise<void>;
  restore(): Promise<void>;
  close(): void;
}

export async function startPgProxy(databaseUrl: string): Promise<PgProxy> {
  const sockets = new Set<Socket>();
  const proxy = createServer((client) => {
    const upstream = connect(5432, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    client.pipe(upstream).pipe(client);
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    for (const s of [client, upstream]) {
      s.on('error', drop);
      s.on('close', drop);
    }
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const port = (proxy.address() as AddressInfo).port;
  const proxied = new URL(databaseUrl);
  proxied.port = String(port);
  const destroyAll = () => {
    for (const socket of sockets) socket.destroy();
    sockets.clear();
  };
  return {
    url: proxied.toString(),
    cut: () =>
      new Promise<void>((resolve) => {
        proxy.close(() => resolve());
        destroyAll();
      }),
    restore: () => new Promise<void>((resolve) => proxy.listen(port, '127.0.0.1', resolve)),
    close: () => {
      destroyAll();
      proxy.close();
    },
  };
}
