import type { IncomingHttpHeaders } from 'node:http';
import ipaddr from 'ipaddr.js';

/** 127.0.0.0/8, ::1 and IPv4-mapped loopback (::ffff:127.x.y.z); false for anything else or junk. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address || !ipaddr.isValid(address)) return false;
  return ipaddr.process(address).range() === 'loopback';
}

/** A host to listen on that only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || isLoopbackAddress(host);
}

/** The host name of a Host header or an Origin (`localhost:3000`, `[::1]:3000`, `http://127.0.0.1:3000`). */
function hostnameOf(value: string, withScheme: boolean): string | undefined {
  try {
    return new URL(withScheme ? value : `http://${value}`).hostname.replace(/^\[(.*)\]$/, '$1');
  } catch {
    return undefined;
  }
}

/**
 * Whether a request comes straight from this machine and was meant for it: its peer is a
 * loopback address, no proxy says it forwarded it (a reverse proxy on the same host would
 * otherwise make every visitor look local), its Host names this machine by a loopback name, and a
 * browser's Origin, if any, is a loopback page too. The last two stop DNS rebinding: a web page
 * whose name resolves to 127.0.0.1 reaches the port but sends its own name as Host and Origin.
 * Under OXY_AUTH=none only such requests act as the local owner.
 */
export function isLocalRequest(remoteAddress: string | undefined, headers: IncomingHttpHeaders): boolean {
  if (headers['x-forwarded-for'] !== undefined || headers.forwarded !== undefined || headers['x-real-ip'] !== undefined)
    return false;
  if (!isLoopbackAddress(remoteAddress)) return false;
  const host = headers.host ?? headers[':authority'];
  if (typeof host === 'string' && !isLoopbackName(hostnameOf(host, false))) return false;
  const origin = headers.origin;
  if (origin !== undefined && !isLoopbackName(hostnameOf(origin, true))) return false;
  return true;
}

function isLoopbackName(name: string | undefined): boolean {
  return name !== undefined && (name === 'localhost' || name.endsWith('.localhost') || isLoopbackAddress(name));
}
