import os from 'node:os';
import path from 'node:path';
import { DEFAULT_TRASH_RETENTION_DAYS } from './domain/trash-retention.js';

/** Every setting Eucalypt reads, with its environment variable and default, shown by `eucalypt --help`. */
export interface Config {
  dataDir: string;
  host: string;
  port: number;
  databaseUrl: string | undefined;
  apiKey: string | undefined;
  logLevel: string;
  userStorageLimitBytes: number | null;
  libraryStorageLimitBytes: number | null;
  /** Tasks run at once by the workers inside `serve` (0 = none) or by `eucalypt worker`. */
  workers: number;
  /** Days a trashed asset or library stays restorable before the workers purge it. */
  trashRetentionDays: number;
}

interface Setting {
  env: string;
  default: string;
  help: string;
}

export const SETTINGS = {
  dataDir: { env: 'EUCALYPT_DATA_DIR', default: './data', help: 'Folder for the SQLite database, blobs and the initial API key' },
  host: { env: 'EUCALYPT_HOST', default: '127.0.0.1', help: 'Interface to listen on (0.0.0.0 for every interface)' },
  port: { env: 'EUCALYPT_PORT', default: '8000', help: 'TCP port to listen on' },
  databaseUrl: { env: 'DATABASE_URL', default: '', help: 'postgres://user:pass@host/db to use PostgreSQL instead of the embedded SQLite file' },
  apiKey: { env: 'EUCALYPT_API_KEY', default: '', help: 'API key (apikey_…) to create on first start instead of a random one' },
  logLevel: { env: 'EUCALYPT_LOG_LEVEL', default: 'info', help: 'pino log level: fatal, error, warn, info, debug, trace, silent' },
  userStorageLimitBytes: { env: 'EUCALYPT_USER_STORAGE_LIMIT_BYTES', default: '', help: "Owner's storage cap in bytes (uploads at or over it get 507); empty = no cap" },
  libraryStorageLimitBytes: { env: 'EUCALYPT_LIBRARY_STORAGE_LIMIT_BYTES', default: '', help: 'Storage cap in bytes for new libraries; empty = no cap' },
  workers: { env: 'EUCALYPT_WORKERS', default: '', help: 'Background tasks run at once per process (0 in serve = run them in separate `eucalypt worker` processes); empty = one per CPU core' },
  trashRetentionDays: {
    env: 'EUCALYPT_TRASH_RETENTION_DAYS',
    default: String(DEFAULT_TRASH_RETENTION_DAYS),
    help: 'Days trashed assets and libraries stay restorable before the workers delete them and their files for good (0 = at the next sweep)',
  },
} satisfies Record<keyof Config, Setting>;

export class ConfigError extends Error {}

function optionalBytes(name: string, raw: string): number | null {
  if (raw === '') return null;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) throw new ConfigError(`${name} must be a non-negative integer number of bytes, got ${JSON.stringify(raw)}`);
  return n;
}

function workerCount(raw: string): number {
  if (raw === '') return os.availableParallelism();
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 256) throw new ConfigError(`${SETTINGS.workers.env} must be a whole number from 0 to 256, got ${JSON.stringify(raw)}`);
  return n;
}

function retentionDays(raw: string): number {
  if (raw.trim() === '') return DEFAULT_TRASH_RETENTION_DAYS;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0 || n > 36_500) {
    throw new ConfigError(`${SETTINGS.trashRetentionDays.env} must be a number of days from 0 to 36500, got ${JSON.stringify(raw)}`);
  }
  return n;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const read = (key: keyof typeof SETTINGS) => env[SETTINGS[key].env] ?? SETTINGS[key].default;
  const port = Number(read('port'));
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`${SETTINGS.port.env} must be a port number (0-65535), got ${JSON.stringify(read('port'))}`);
  }
  const databaseUrl = read('databaseUrl') || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError(`${SETTINGS.databaseUrl.env} must start with postgres:// (leave it unset for the embedded SQLite database)`);
  }
  const apiKey = read('apiKey') || undefined;
  if (apiKey && !/^apikey_[A-Za-z0-9_-]{16,}$/.test(apiKey)) {
    throw new ConfigError(`${SETTINGS.apiKey.env} must look like apikey_ followed by at least 16 letters, digits, _ or -`);
  }
  return {
    dataDir: path.resolve(read('dataDir')),
    host: read('host'),
    port,
    databaseUrl,
    apiKey,
    logLevel: read('logLevel'),
    userStorageLimitBytes: optionalBytes(SETTINGS.userStorageLimitBytes.env, read('userStorageLimitBytes')),
    libraryStorageLimitBytes: optionalBytes(SETTINGS.libraryStorageLimitBytes.env, read('libraryStorageLimitBytes')),
    workers: workerCount(read('workers')),
    trashRetentionDays: retentionDays(read('trashRetentionDays')),
  };
}

export function configHelp(): string {
  const width = Math.max(...Object.values(SETTINGS).map((s) => s.env.length));
  return Object.values(SETTINGS)
    .map((s: Setting) => `  ${s.env.padEnd(width)}  ${s.help}${s.default ? ` (default: ${s.default})` : ''}`)
    .join('\n');
}
