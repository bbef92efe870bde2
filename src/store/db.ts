import fs from 'node:fs';
import path from 'node:path';
import { Migrator } from 'kysely';
import type { Config } from '../config.js';
import type { DialectAdapter } from './dialect/adapter.js';
import { openPostgres } from './dialect/postgres.js';
import { openSqlite } from './dialect/sqlite.js';
import { migrationProvider } from './migrations/index.js';
import type { Db } from './schema.js';

export interface Store {
  db: Db;
  dialect: DialectAdapter;
  close(): Promise<void>;
}

export function openStore(config: Pick<Config, 'databaseUrl' | 'dataDir'>): Store {
  if (config.databaseUrl) {
    const opened = openPostgres(config.databaseUrl);
    return { db: opened.db, dialect: opened.adapter, close: () => opened.db.destroy() };
  }
  fs.mkdirSync(config.dataDir, { recursive: true });
  const opened = openSqlite(path.join(config.dataDir, 'eucalypt.db'));
  return { db: opened.db, dialect: opened.adapter, close: opened.close };
}

export async function migrate(db: Db): Promise<string[]> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
