import { createServer } from 'node:net';

/** A port that is taken, named with the variable that moves it, so the fix is in the message. */
export class PortInUseError extends Error {
  constructor(
    readonly port: number,
    readonly variable: string,
    readonly service: string,
  ) {
    super(`Port ${port} (${service}) is already in use: set ${variable} to another port.`);
    this.name = 'PortInUseError';
  }
}

function tryListen(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export async function assertPortFree(port: number, variable: string, service: string): Promise<void> {
  if (!(await tryListen(port, '127.0.0.1'))) throw new PortInUseError(port, variable, service);
}

/** A port the OS says is free right now (for tests and benchmarks that must not collide). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1' }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
