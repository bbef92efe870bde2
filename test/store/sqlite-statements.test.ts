import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/db.js';

/** The SQLite store reuses prepared statements by SQL text; reuse must never mix up results. */
describe('SQLite prepared-statement reuse', () => {
  let dir: string;
  let store: Store;
  beforeAll(async () => {
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'eucalypt-stmt-'));
    store = openStore({ dataDir: dir, databaseUrl: undefined });
  });
  afterAll(async () => {
    await store.close();
    await fsp.rm(dir, { recursive: true, force: true });
  });

  it('answers each of many concurrent runs of one statement with its own parameters', async () => {
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => sql<{ n: number }>`select ${i} * 2 as n`.execute(store.db)));
    expect(results.map((r) => r.rows[0].n)).toEqual(Array.from({ length: 50 }, (_, i) => i * 2));
  });

  it('still answers a statement after more distinct statements than the cache holds', async () => {
    for (let i = 0; i < 600; i++) {
      const { rows } = await sql<{ n: number }>`select ${sql.lit(i)} as n`.execute(store.db);
      expect(rows[0].n).toBe(i);
    }
    expect((await sql<{ n: number }>`select ${sql.lit(0)} as n`.execute(store.db)).rows[0].n).toBe(0);
  });

  it('reuses statements inside and outside transactions, including after a rollback', async () => {
    await sql`create table t (v integer)`.execute(store.db);
    const insert = (db: typeof store.db, v: number) => sql`insert into t (v) values (${v})`.execute(db);
    await store.db.transaction().execute(async (trx) => {
      await insert(trx, 1);
      await insert(trx, 2);
    });
    await expect(
      store.db.transaction().execute(async (trx) => {
        await insert(trx, 3);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    await insert(store.db, 4);
    const { rows } = await sql<{ v: number }>`select v from t order by v`.execute(store.db);
    expect(rows.map((r) => r.v)).toEqual([1, 2, 4]);
  });
});
