import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Migrator } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrationProvider } from '../../src/store/migrations/index.js';
import { openStore } from '../../src/store/db.js';
import { createPostgresDatabase, DIALECTS } from '../support/db.js';
import { seedAssets } from '../support/seed.js';

describe.each(DIALECTS)('migration 0005 on %s', (dialect) => {
  it('gives every asset already stored its position-0 version (the upload), and stacks start empty', async () => {
    const dataDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'eucalypt-m5-'));
    const pg = dialect === 'postgres' ? await createPostgresDatabase() : undefined;
    const store = openStore({ dataDir, databaseUrl: pg?.url });
    try {
      const migrator = new Migrator({ db: store.db, provider: migrationProvider });
      expect((await migrator.migrateTo('0003_settings')).error).toBeUndefined();
      const now = new Date().toISOString();
      await store.db.insertInto('users').values({ id: 'intuser_m5', email: null, first_name: null, last_name: null, is_active: 1, is_superuser: 0, is_verified: 1, timezone: null, storage_limit_bytes: null, storage_used_bytes: 0, created_at: now, updated_at: now }).execute();
      await store.db.insertInto('libraries').values({ id: 'lib_m5', user_id: 'intuser_m5', name: 'm5', description: null, storage_limit_bytes: null, storage_used_bytes: 0, asset_count: 0, trashed_at: null, created_at: now, updated_at: now }).execute();
      const assets = await seedAssets(store.db, 'lib_m5', [{}, { media_type: 'video' }]);
      expect((await migrator.migrateToLatest()).error).toBeUndefined();
      const rows = await store.db.selectFrom('asset_versions').selectAll().orderBy('asset_id').execute();
      expect(rows).toHaveLength(2);
      for (const asset of assets) {
        expect(rows.find((r) => r.asset_id === asset.id)).toMatchObject({
          id: asset.current_version_id,
          position: 0,
          kind: 'original',
          mime_type: asset.mime_type,
          width: asset.width,
          height: asset.height,
          file_size_bytes: asset.file_size_bytes,
          checksum: asset.checksum,
          source_checksum: asset.checksum,
          blob_key: asset.blob_key,
          params: null,
        });
      }
      expect(await store.db.selectFrom('asset_stacks').selectAll().execute()).toEqual([]);
    } finally {
      await store.close();
      await pg?.drop();
      await fsp.rm(dataDir, { recursive: true, force: true });
    }
  });
});
