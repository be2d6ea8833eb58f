import crypto from 'node:crypto';
import tls from 'node:tls';
import { ConfigError } from '../errors.js';

/**
 * Checks a TLS certificate and key before the server uses them, so that a file that is not PEM,
 * or a key that does not belong to the certificate, is named with its path rather than as an
 * OpenSSL error code.
 */
export function checkedTlsPair(
  pair: { cert: Buffer; key: Buffer },
  certFile: string,
  keyFile: string,
): { cert: Buffer; key: Buffer } {
  try {
    new crypto.X509Certificate(pair.cert);
  } catch {
    throw new ConfigError(
      `--tls-cert ${certFile} is not a PEM certificate`,
      'give the certificate file (it starts with -----BEGIN CERTIFICATE-----)',
    );
  }
  try {
    crypto.createPrivateKey(pair.key);
  } catch {
    throw new ConfigError(
      `--tls-key ${keyFile} is not a PEM private key (or it is encrypted)`,
      'give the unencrypted private key file (it starts with -----BEGIN PRIVATE KEY-----)',
    );
  }
  try {
    tls.createSecureContext(pair);
  } catch {
    throw new ConfigError(
      `--tls-key ${keyFile} does not belong to --tls-cert ${certFile}`,
      'give the private key the certificate was issued for',
    );
  }
  return pair;
}
