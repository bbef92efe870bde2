import { type Kysely, PostgresAdapter, sql } from 'kysely';

// Frozen in time: this file must not import the app's schema types.
export async function up(db: Kysely<any>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable('tasks')
    .addColumn('id', 'text', (c) => (postgres ? c.modifyFront(sql.raw('collate "C"')) : c).primaryKey())
    .addColumn('celery_task_id', 'text', (c) => c.notNull().unique())
    .addColumn('task_type', 'text', (c) => c.notNull())
    .addColumn('library_id', 'text', (c) => c.notNull())
    .addColumn('asset_id', 'text')
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('priority', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('run_at', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_attempts', 'integer', (c) => c.notNull())
    .addColumn('locked_by', 'text')
    .addColumn('lease_until', 'text')
    .addColumn('key', 'text')
    .addColumn('error_message', 'text')
    .addColumn('result', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text')
    .addColumn('completed_at', 'text')
    .execute();
  // The claim scans only unfinished rows, in (priority, run_at) order.
  await db.schema
    .createIndex('tasks_claimable')
    .on('tasks')
    .columns(['priority', 'run_at'])
    .where(sql.ref('status'), 'in', ['pending', 'started'])
    .execute();
  // At most one not-yet-started task per key: enqueueing a known key is a no-op.
  await db.schema.createIndex('tasks_pending_key').unique().on('tasks').column('key').where(sql.ref('status'), '=', 'pending').execute();
  await db.schema.createIndex('tasks_library_created').on('tasks').columns(['library_id', 'created_at']).execute();
  await db.schema.createIndex('tasks_asset').on('tasks').columns(['asset_id', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('tasks').execute();
}
