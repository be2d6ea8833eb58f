import type { AuthMode } from '../config.js';
import { isLoopbackHost } from './local-request.js';

/**
 * The start-up line saying how requests are authenticated and who can reach the server, e.g.
 * `auth: none (no sign-in) — loopback requests only; requests from the network get 401`.
 */
export function describeAccess(auth: AuthMode, host: string, allowRemoteNoAuth: boolean): string {
  const reach = isLoopbackHost(host)
    ? `listening on ${host}: only this machine can connect`
    : `listening on ${host}: anyone on the network can connect`;
  if (auth === 'password') return `auth: password (sign in or API key for every request) — ${reach}`;
  if (isLoopbackHost(host)) return `auth: none (no sign-in, everyone acts as the local owner) — ${reach}`;
  if (allowRemoteNoAuth)
    return `auth: none with --allow-remote-no-auth — ${reach}, and EVERYONE who can acts as the local owner without signing in`;
  return `auth: none (no sign-in) — ${reach}, but only requests from this machine (loopback) are served; others get 401 (set OXY_AUTH=password to serve them)`;
}
