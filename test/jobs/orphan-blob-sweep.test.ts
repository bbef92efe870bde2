import fsp from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORPHAN_GRACE_MS, ORPHAN_SWEEP_INTERVAL_MS, runMaintenance } from '../../src/jobs/maintenance.js';
import { sweepOrphanBlobs } from '../../src/services/orphan-blobs.js';
import { rungKey } from '../../src/services/renditions.js';
import * as assetStore from '../../src/store/assets.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { DIALECTS } from '../support/db.js';
import { mediaFile } from '../support/media.js';
import { uploadFile } from '../support/upload.js';

describe.each(DIALECTS)('orphan blob sweep on %s', (dialect) => {
  let t: TestApp;
  let libraryId: string;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    libraryId = (await t.api('GET', '/api/libraries')).json()[0].id;
  });
  afterAll(async () => {
    await t.close();
  });

  const blobs = () => t.runtime.deps.blobs;
  const exists = async (key: string) => (await blobs().stat(key)) !== undefined;
  /** A blob put straight into the store, as a process that died before its commit leaves it; `ageMs` old by its file time. */
  const stray = async (key: string, ageMs: number) => {
    const file = `${t.config.dataDir}/stray-${Math.random().toString(36).slice(2)}`;
    await fsp.writeFile(file, key);
    await blobs().putFile(key, file);
    const when = new Date(t.clock.now().getTime() - ageMs);
    await fsp.utimes(await blobs().localPath(key), when, when);
  };

  it('once a day, deletes old blobs no row refers to and keeps everything referenced, young or unknown', async () => {
    const res = await uploadFile(t, mediaFile('jpeg/nature/silver_fir.jpg'));
    expect(res.statusCode).toBe(201);
    await t.runtime.worker.runUntilIdle();
    const [asset] = await assetStore.findByIdsAnyLibrary(t.runtime.deps.db, [res.json().id]);
    const kept = [asset.blob_key, rungKey(asset, 'preview')];
    for (const key of kept) await fsp.utimes(await blobs().localPath(key), new Date(0), new Date(0));

    t.clock.advance(ORPHAN_SWEEP_INTERVAL_MS);
    const old = 2 * ORPHAN_GRACE_MS;
    const gone = [
      `originals/${libraryId}/zz/asset_neverCommitted000000000.jpg`,
      `versions/${libraryId}/zz/asset_neverCommitted000000000/c2hhMjU2.jpg`,
      `versions/${libraryId}/${asset.id.slice(-2)}/${asset.id}/bm90LWEtdmVyc2lvbg.png`,
      `derived/${libraryId}/zz/asset_deletedMeanwhile000000zz/asset_version_x/thumbnail.webp`,
      `derived/${libraryId}/${asset.id.slice(-2)}/${asset.id}/asset_version_gone/preview.jpg`,
    ];
    for (const key of gone) await stray(key, old);
    const young = `originals/${libraryId}/zz/asset_committingNow0000000000.jpg`;
    await stray(young, 60_000);
    const unknown = `originals/${libraryId}/notes.txt`;
    await stray(unknown, old);

    await runMaintenance(t.runtime.deps);
    for (const key of gone) expect(await exists(key), key).toBe(false);
    for (const key of [...kept, young, unknown]) expect(await exists(key), key).toBe(true);
    // The folder of a deleted asset's renditions goes with them.
    await expect(fsp.stat((await blobs().localPath(gone[3])).replace(/\/asset_version_x\/thumbnail\.webp$/, ''))).rejects.toThrow('ENOENT');

    // Not again before a day has passed, whatever is left lying around meanwhile.
    const later = `originals/${libraryId}/zz/asset_strayAfterSweep00000000.jpg`;
    await stray(later, old);
    t.clock.advance(ORPHAN_SWEEP_INTERVAL_MS / 2);
    await runMaintenance(t.runtime.deps);
    expect(await exists(later)).toBe(true);
    t.clock.advance(ORPHAN_SWEEP_INTERVAL_MS / 2);
    await runMaintenance(t.runtime.deps);
    expect(await exists(later)).toBe(false);
    expect(await exists(asset.blob_key)).toBe(true);
    expect((await t.api('GET', `/api/assets/${asset.id}`)).statusCode).toBe(200);
  });

  it('a stopping worker ends the sweep: an aborted one deletes nothing, the next one finishes', async () => {
    const key = `originals/${libraryId}/zz/asset_leftForNextSweep000000.jpg`;
    await stray(key, 2 * ORPHAN_GRACE_MS);
    const olderThan = new Date(t.clock.now().getTime() - ORPHAN_GRACE_MS);
    expect(await sweepOrphanBlobs(t.runtime.deps, olderThan, AbortSignal.abort())).toBe(0);
    expect(await exists(key)).toBe(true);
    expect(await sweepOrphanBlobs(t.runtime.deps, olderThan)).toBe(1);
    expect(await exists(key)).toBe(false);
  });
});
