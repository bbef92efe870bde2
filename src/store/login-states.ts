import type { Executor, LoginStateTable } from './schema.js';

export type LoginStateRow = LoginStateTable;

/** Records a login in progress; logins abandoned before `now` are dropped on the way. */
export async function insert(db: Executor, row: LoginStateRow, now: string): Promise<void> {
  await db.deleteFrom('login_states').where('expires_at', '<=', now).execute();
  await db.insertInto('login_states').values(row).execute();
}

/** Consumes a login's state: it can be taken once, so a replayed exchange finds nothing. */
export async function take(db: Executor, state: string): Promise<LoginStateRow | undefined> {
  return db.deleteFrom('login_states').where('state', '=', state).returningAll().executeTakeFirst();
}
