/**
 * The key that seals secrets at rest when none is configured (auth `none`,
 * one local user): generated once into a file readable by the server's user
 * only (0600), beside the notebooks, and read from there on later starts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError, SecretBox } from '@rnb/core';
import type { ServerConfig } from './config';
import type { Logger } from './logger';

/** NOTEBOOK_SECRET_KEY when set; with auth `none` the local key file's (created when missing); else undefined. */
export function serverSecretKey(config: Pick<ServerConfig, 'secretKey' | 'secretKeyFile' | 'auth'>, log: Logger): string | undefined {
  if (config.secretKey !== undefined) return config.secretKey;
  if (config.auth !== 'none') return undefined; // loadConfig refused this already
  return localKey(config.secretKeyFile, log);
}

function localKey(file: string, log: Logger): string {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    if (!fs.existsSync(file)) {
      // Written whole to a file of its own, then linked into place: of several instances starting together on this
      // machine, one link wins and the others read its key, never a half-written file.
      const draft = `${file}.${process.pid}.${Date.now()}.tmp`;
      fs.writeFileSync(draft, `${SecretBox.generateText()}\n`, { flag: 'wx', mode: 0o600 });
      try {
        fs.linkSync(draft, file);
        log.info('generated the key that encrypts connection strings at rest', { file });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      } finally {
        fs.rmSync(draft, { force: true });
      }
    }
    const mode = fs.statSync(file).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      fs.chmodSync(file, 0o600);
      log.warn('the secret key file was readable by others: its mode is now 0600', { file, previousMode: mode.toString(8) });
    }
    const text = fs.readFileSync(file, 'utf8');
    SecretBox.fromText(text, `The secret key file ${file}`);
    return text.trim();
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(
      `The key that encrypts connection strings could not be kept in ${file} (${(error as Error).message}): set NOTEBOOK_SECRET_KEY (openssl rand -base64 32) or NOTEBOOK_SECRET_KEY_FILE to a writable path.`,
    );
  }
}
