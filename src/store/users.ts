import type { DialectAdapter } from './dialect/adapter.js';
import type { Executor, Tx, UserTable } from './schema.js';
import { prepared } from './prepared.js';

export type UserRow = UserTable;

const byId = prepared((db, a: { id: string }) => db.selectFrom('users').selectAll().where('id', '=', a.id));

export async function findById(db: Executor, id: string): Promise<UserRow | undefined> {
  return (await byId(db, { id })).rows[0];
}

export async function count(db: Executor): Promise<number> {
  const row = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function insert(db: Executor, row: UserRow): Promise<void> {
  await db.insertInto('users').values(row).execute();
}

const addUsed = prepared((db, a: { id: string; bytes: number; now: string }) =>
  db
    .updateTable('users')
    .set((eb) => ({ storage_used_bytes: eb('storage_used_bytes', '+', a.bytes), updated_at: a.now }))
    .where('id', '=', a.id),
);

export async function addStorageUsed(db: Executor, id: string, bytes: number, now: string): Promise<void> {
  await addUsed(db, { id, bytes, now });
}

/** Takes the user's row lock (PostgreSQL), so per-user rules such as "keep one live library" serialise. */
export async function lock(trx: Tx, dialect: DialectAdapter, id: string): Promise<UserRow | undefined> {
  return dialect.lockRows(trx.selectFrom('users').selectAll().where('id', '=', id), 'no_key_update').executeTakeFirst();
}

/** The first user: Eucalypt is single-owner, and bootstrap creates the owner before anyone else. */
export async function ownerId(db: Executor): Promise<string | undefined> {
  const row = await db.selectFrom('users').select('id').orderBy('created_at').orderBy('id').limit(1).executeTakeFirst();
  return row?.id;
}

/** The name and address the identity provider knows the user by (first-party login, §1.5). */
export async function updateProfile(db: Executor, id: string, profile: Pick<UserRow, 'email' | 'first_name' | 'last_name' | 'updated_at'>): Promise<void> {
  await db.updateTable('users').set(profile).where('id', '=', id).execute();
}

/** Every session token of the user issued before `at` stops working. */
export async function revokeSessions(db: Executor, id: string, at: string): Promise<void> {
  await db.updateTable('users').set({ sessions_valid_after: at, updated_at: at }).where('id', '=', id).execute();
}
