import type { Kysely } from 'kysely';

// Frozen in time: this file must not import the app's schema types.
export async function up(db: Kysely<any>): Promise<void> {
  // Server-wide values every process must share (e.g. the media URL signing key).
  await db.schema
    .createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('settings').execute();
}
