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

/**
 * Whether a request comes straight from this machine: its peer is a loopback address and no
 * proxy says it forwarded it (a reverse proxy on the same host would otherwise make every
 * visitor look local). Under OXY_AUTH=none only such requests act as the local owner.
 */
export function isLocalRequest(remoteAddress: string | undefined, headers: IncomingHttpHeaders): boolean {
  if (headers['x-forwarded-for'] !== undefined || headers.forwarded !== undefined || headers['x-real-ip'] !== undefined)
    return false;
  return isLoopbackAddress(remoteAddress);
}
