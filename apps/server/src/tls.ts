import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type Config, ConfigError, flagName } from './config.ts';

/** A PEM certificate (the server's first, then its chain) and its private key. */
export interface TlsFiles {
  cert: string;
  key: string;
}

export interface LoadedTls {
  files: TlsFiles;
  /** The server certificate, for the start log. */
  certificate: { subject: string; names: string; validTo: Date; expired: boolean };
}

const where = (setting: 'TLS_CERT_FILE' | 'TLS_KEY_FILE') => `${setting} (${flagName(setting)})`;

function readSetting(setting: 'TLS_CERT_FILE' | 'TLS_KEY_FILE', file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES'
          ? 'permission denied (the account Hookflow runs as must be able to read it)'
          : code === 'EISDIR'
            ? 'it is a directory, not a file'
            : (error as Error).message;
    throw new ConfigError(`${where(setting)}: cannot read ${file}: ${reason}`);
  }
}

/**
 * Reads TLS_CERT_FILE and TLS_KEY_FILE and checks them before the server listens: each must be
 * readable PEM, the key unencrypted, and the key must belong to the certificate. Null when HTTPS
 * is off. Every refusal is a ConfigError naming the setting, the file and what is wrong.
 *
 * @example
 * const tls = loadTls(config);
 * createServer({ ...deps, ...(tls ? { tls: tls.files } : {}) });
 */
export function loadTls(config: Pick<Config, 'TLS_CERT_FILE' | 'TLS_KEY_FILE'>): LoadedTls | null {
  const { TLS_CERT_FILE: certFile, TLS_KEY_FILE: keyFile } = config;
  if (!certFile || !keyFile) return null;
  const cert = readSetting('TLS_CERT_FILE', certFile);
  const key = readSetting('TLS_KEY_FILE', keyFile);
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(cert);
  } catch {
    throw new ConfigError(
      `${where('TLS_CERT_FILE')}: ${certFile} is not a PEM certificate (a "-----BEGIN CERTIFICATE-----" block)`,
    );
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(key);
  } catch (error) {
    const encrypted =
      /passphrase|encrypted/i.test((error as Error).message) || /ENCRYPTED/.test(key);
    throw new ConfigError(
      encrypted
        ? `${where('TLS_KEY_FILE')}: ${keyFile} is encrypted with a passphrase; Hookflow needs it unencrypted (openssl pkey -in ${keyFile} -out key.pem), readable by its account only`
        : `${where('TLS_KEY_FILE')}: ${keyFile} is not a PEM private key (a "-----BEGIN PRIVATE KEY-----" block)`,
    );
  }
  if (!certificate.checkPrivateKey(privateKey)) {
    throw new ConfigError(
      `${where('TLS_KEY_FILE')}: the key in ${keyFile} does not belong to the certificate in ${certFile}`,
    );
  }
  const validTo = new Date(certificate.validTo);
  return {
    files: { cert, key },
    certificate: {
      subject: certificate.subject.replaceAll('\n', ', '),
      names: certificate.subjectAltName ?? '',
      validTo,
      expired: validTo.getTime() < Date.now(),
    },
  };
}
