import type { Migration, MigrationProvider } from 'kysely';
import * as m0001 from './0001_foundation.js';
import * as m0002 from './0002_tasks.js';

/** Listed explicitly so the migrations travel with the compiled code, in order. */
const migrations: Record<string, Migration> = {
  '0001_foundation': m0001,
  '0002_tasks': m0002,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
