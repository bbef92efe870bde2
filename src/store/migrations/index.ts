import type { Migration, MigrationProvider } from 'kysely';
import * as m0001 from './0001_foundation.js';
import * as m0002 from './0002_tasks.js';
import * as m0003 from './0003_settings.js';
import * as m0004 from './0004_albums.js';
import * as m0005 from './0005_stacks_versions.js';
import * as m0006 from './0006_faces.js';
import * as m0007 from './0007_motion_photos.js';
import * as m0008 from './0008_search.js';
import * as m0009 from './0009_api_key_libraries.js';
import * as m0010 from './0010_logins.js';

/** Listed explicitly so the migrations travel with the compiled code, in order. */
const migrations: Record<string, Migration> = {
  '0001_foundation': m0001,
  '0002_tasks': m0002,
  '0003_settings': m0003,
  '0004_albums': m0004,
  '0005_stacks_versions': m0005,
  '0006_faces': m0006,
  '0007_motion_photos': m0007,
  '0008_search': m0008,
  '0009_api_key_libraries': m0009,
  '0010_logins': m0010,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
