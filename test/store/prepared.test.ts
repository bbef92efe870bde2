import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, openStore, type Store } from '../../src/store/db.js';
import { prepared } from '../../src/store/prepared.js';
import type { UserRow } from '../../src/store/users.js';
import { createPostgresDatabase, DIALECTS } from '../support/db.js';

const user = (id: string, extra: Partial<UserRow> = {}): UserRow => {
  const now = '2026-01-01T00:00:00.000Z';
  return { id, email: null, first_name: null, last_name: null, is_active: 1, is_superuser: 0, is_verified: 1, timezone: null, storage_limit_bytes: null, storage_used_bytes: 0, sessions_valid_after: null, created_at: now, updated_at: now, ...extra };
};

describe.each(DIALECTS)('prepared queries on %s', (dialect) => {
  let store: Store;
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const pg = dialect === 'postgres' ? await createPostgresDatabase() : undefined;
    drop = pg?.drop;
    store = openStore({ dataDir: await fsp.mkdtemp(path.join(os.tmpdir(), 'eucalypt-prepared-')), databaseUrl: pg?.url });
    await migrate(store.db);
  });
  afterAll(async () => {
    await store.close();
    await drop?.();
  });

  const insertUser = prepared((db, row: UserRow) => db.insertInto('users').values(row));
  const byEmail = prepared((db, a: { email: string; active: number }) => db.selectFrom('users').select(['id', 'email']).where('email', '=', a.email).where('is_active', '=', a.active).orderBy('id'));
  const addUsed = prepared((db, a: { id: string; bytes: number }) => db.updateTable('users').set((eb) => ({ storage_used_bytes: eb('storage_used_bytes', '+', a.bytes) })).where('id', '=', a.id));

  it('binds new values to one compiled statement: the same rows as the query built each time', async () => {
    await insertUser(store.db, user('intuser_p1', { email: 'a@example.com' }));
    await insertUser(store.db, user('intuser_p2', { email: 'b@example.com' }));
    await insertUser(store.db, user('intuser_p3', { email: 'b@example.com', is_active: 0 }));
    for (const [email, active] of [['a@example.com', 1], ['b@example.com', 1], ['b@example.com', 0], ['nobody@example.com', 1]] as const) {
      const built = await store.db.selectFrom('users').select(['id', 'email']).where('email', '=', email).where('is_active', '=', active).orderBy('id').execute();
      expect((await byEmail(store.db, { email, active })).rows).toEqual(built);
    }
    expect((await byEmail(store.db, { email: 'b@example.com', active: 1 })).rows).toEqual([{ id: 'intuser_p2', email: 'b@example.com' }]);
  });

  it('counts changed rows, and runs inside a transaction, whose rollback undoes it', async () => {
    expect((await addUsed(store.db, { id: 'intuser_p1', bytes: 10 })).numAffectedRows).toBe(1n);
    expect((await addUsed(store.db, { id: 'intuser_none', bytes: 10 })).numAffectedRows).toBe(0n);
    await expect(
      store.db.transaction().execute(async (trx) => {
        await addUsed(trx, { id: 'intuser_p1', bytes: 5 });
        expect(Number((await trx.selectFrom('users').select('storage_used_bytes').where('id', '=', 'intuser_p1').executeTakeFirstOrThrow()).storage_used_bytes)).toBe(15);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(Number((await store.db.selectFrom('users').select('storage_used_bytes').where('id', '=', 'intuser_p1').executeTakeFirstOrThrow()).storage_used_bytes)).toBe(10);
  });

  it('leaves out a column given as undefined, as Kysely does, so its default applies', async () => {
    const row = { ...user('intuser_p4'), storage_used_bytes: undefined } as unknown as UserRow;
    await insertUser(store.db, row);
    expect(Number((await store.db.selectFrom('users').select('storage_used_bytes').where('id', '=', 'intuser_p4').executeTakeFirstOrThrow()).storage_used_bytes)).toBe(0);
  });

  it('refuses a query whose SQL a value would shape', async () => {
    const literal = prepared((db, a: { email: string }) => db.selectFrom('users').select('id').where('email', '=', sql.lit(a.email)));
    await expect(literal(store.db, { email: 'a@example.com' })).rejects.toThrow('argument email must be bound as a parameter');
    const unused = prepared((db, _a: { email: string }) => db.selectFrom('users').select('id'));
    await expect(unused(store.db, { email: 'a@example.com' })).rejects.toThrow('argument email must be bound as a parameter');
  });
});
