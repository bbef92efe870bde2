import type { Kysely } from 'kysely';

// Frozen in time: this file must not import the app's schema types.
export async function up(db: Kysely<any>): Promise<void> {
  // 1 when the file embeds its own short video (Google/Samsung motion photos).
  await db.schema.alterTable('asset_metadata').addColumn('motion_photo', 'integer', (c) => c.notNull().defaultTo(0)).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('asset_metadata').dropColumn('motion_photo').execute();
}
