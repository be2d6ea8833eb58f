import { execFileSync } from 'node:child_process';

/** Writes a one-day self-signed certificate for localhost and its key (PEM) with openssl. */
export function selfSignedCert(certFile: string, keyFile: string): { tlsCert: string; tlsKey: string } {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
    ],
    { stdio: 'ignore' },
  );
  return { tlsCert: certFile, tlsKey: keyFile };
}
