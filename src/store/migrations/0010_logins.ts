import type { Kysely } from 'kysely';

// Frozen in time: this file must not import the app's schema types.
export async function up(db: Kysely<any>): Promise<void> {
  // One row per first-party login in progress (§1.5): made by auth-url, consumed once by exchange.
  await db.schema
    .createTable('login_states')
    .addColumn('state', 'text', (c) => c.primaryKey())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('redirect_uri', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  // Session tokens issued before this instant are refused (`eucalypt sessions revoke`).
  await db.schema.alterTable('users').addColumn('sessions_valid_after', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('sessions_valid_after').execute();
  await db.schema.dropTable('login_states').execute();
}
