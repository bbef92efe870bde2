import type { Kysely } from 'kysely';

// Frozen in time: this file must not import the app's schema types.
export async function up(db: Kysely<any>): Promise<void> {
  // JSON array of lib_ ids for keys with library_scope_mode = 'selected_libraries' (§1.6, ≤ 200).
  await db.schema.alterTable('api_keys').addColumn('library_ids', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('api_keys').dropColumn('library_ids').execute();
}
