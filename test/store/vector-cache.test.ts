import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as searchStore from '../../src/store/search.js';
import { VectorCache } from '../../src/store/vector-cache.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { DIALECTS } from '../support/db.js';
import { seedAssets } from '../support/seed.js';

const unit = (...v: number[]) => {
  const n = Math.hypot(...v);
  return Float32Array.from(v, (x) => x / n);
};

describe.each(DIALECTS)('the in-process vector index on %s', (dialect) => {
  let t: TestApp;
  let lib: string;
  let ids: string[];
  let now = 0;
  const cache = new VectorCache(() => now);

  const put = (assetId: string, vector: Float32Array) =>
    t.runtime.deps.db.transaction().execute((trx) =>
      searchStore.putEmbedding(trx, t.runtime.deps.dialect, {
        asset_id: assetId, library_id: lib, model: 'm', version_id: 'v', dims: 3, vector: Buffer.from(vector.buffer), created_at: new Date().toISOString(),
      }),
    );
  const nearest = async (v: Float32Array, k = 10, allowed?: Set<string>) =>
    (await cache.nearest(t.runtime.deps.db, { libraryId: lib, model: 'm', dims: 3, vector: v, k, allowed })).map((h) => [ids.indexOf(h.asset_id), Number(h.distance.toFixed(4))]);

  beforeAll(async () => {
    t = await createTestApp(dialect);
    lib = (await t.api('GET', '/api/libraries')).json()[0].id;
    ids = (await seedAssets(t.runtime.deps.db, lib, [{}, {}, {}, {}])).map((a) => a.id);
    await put(ids[0], unit(1, 0, 0));
    await put(ids[1], unit(0, 1, 0));
    await put(ids[2], unit(1, 1, 0));
  });
  afterAll(async () => {
    await t.close();
  });

  it('ranks by cosine distance, exactly, and honours k and the allowed set', async () => {
    expect(await nearest(unit(1, 0, 0))).toEqual([[0, 0], [2, 0.2929], [1, 1]]);
    expect(await nearest(unit(1, 0, 0), 1)).toEqual([[0, 0]]);
    expect(await nearest(unit(1, 0, 0), 10, new Set([ids[1]]))).toEqual([[1, 1]]);
  });

  it('sees new and replaced vectors on the next search', async () => {
    await put(ids[3], unit(0, 0, 1));
    await put(ids[1], unit(-1, 0, 0));
    expect(await nearest(unit(0, 0, 1), 1)).toEqual([[3, 0]]);
    expect(await nearest(unit(1, 0, 0))).toEqual([[0, 0], [2, 0.2929], [3, 1], [1, 2]]);
  });

  it('drops deleted assets at the next recount', async () => {
    await t.api('DELETE', `/api/assets/${ids[0]}`);
    now += 61_000;
    expect((await nearest(unit(1, 0, 0))).map(([i]) => i)).toEqual([2, 3, 1]);
  });
});
