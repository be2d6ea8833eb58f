import net from 'node:net';

/**
 * A TCP forwarder on 127.0.0.1 in front of a real server, for failure tests: it can start
 * listening late (the server "comes up" after a while) and cut every connection (the server
 * "goes away" mid-transfer). The database behind it is real; only the network is staged.
 */
export class TcpProxy {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  /** Bytes forwarded from client to server since the proxy started. */
  bytesUp = 0;
  private cutAfter: number | undefined;

  private constructor(
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  /** Reserves a free port without listening on it yet. */
  static async reserve(target: { host: string; port: number }): Promise<TcpProxy> {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    return new TcpProxy(port, target);
  }

  async listen(): Promise<void> {
    this.server = net.createServer((client) => {
      const upstream = net.connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.on('data', (chunk: Buffer) => {
        this.bytesUp += chunk.length;
        upstream.write(chunk);
        if (this.cutAfter !== undefined && this.bytesUp >= this.cutAfter) this.cutAll();
      });
      upstream.on('data', (chunk: Buffer) => client.write(chunk));
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
  }

  /** Cuts every connection once this many bytes have gone up, and refuses new ones after. */
  cutWhenUploaded(bytes: number): void {
    this.cutAfter = bytes;
  }

  cutAll(): void {
    this.server?.close();
    for (const s of this.sockets) s.destroy();
  }

  async close(): Promise<void> {
    this.cutAll();
  }
}
