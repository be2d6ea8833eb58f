import net from 'node:net';
import { OxyError } from '../errors.js';

/** True when something already listens on 127.0.0.1:`port`. */
export function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.setTimeout(1000);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
    socket.once('error', () => resolve(false));
  });
}

/**
 * `port N already in use`, with how to find the holder. `fixed` when the database to start keeps
 * its port (an existing container): another port then means recreating it, not just a variable.
 */
export function portTakenError(port: number, fixed = false): OxyError {
  const elsewhere = fixed ? 'or recreate the container on another port: oxy start --clean (keeps the volume), then OXY_POSTGRES_PORT=<port> oxy start' : 'or pick another port with OXY_POSTGRES_PORT';
  return new OxyError('port_in_use', `port ${port} already in use`, {
    hint: `find what holds it with: lsof -i :${port}  (or: ss -ltnp 'sport = :${port}'); stop it, ${elsewhere}`,
  });
}
