import type { Config } from '../config.js';
import type { CommandIo } from './api-key.js';
import * as sessions from '../services/sessions.js';
import { migrate, openStore } from '../store/db.js';
import * as userStore from '../store/users.js';

export const SESSIONS_USAGE = `Usage: eucalypt sessions revoke

Ends every session token issued so far: the web UI and apps logged in through the identity
provider (/api/oauth/*) must log in again. API keys keep working (see \`eucalypt api-key\`).
Works on the database of \`serve\` (same DATABASE_URL or EUCALYPT_DATA_DIR), also while it runs.
`;

/** `eucalypt sessions …`: returns the exit status. */
export async function runSessionsCommand(argv: string[], config: Pick<Config, 'databaseUrl' | 'dataDir'>, io: CommandIo = process, clock = () => new Date()): Promise<number> {
  if (argv.length !== 1 || argv[0] !== 'revoke') {
    const asked = ['help', '--help', '-h'].includes(argv[0]);
    (asked ? io.stdout : io.stderr).write(SESSIONS_USAGE);
    return asked ? 0 : 2;
  }
  const store = openStore(config);
  try {
    await migrate(store.db);
    const owner = await userStore.ownerId(store.db);
    if (!owner) {
      io.stderr.write('There is no owner yet: start the server once (eucalypt serve) to create one.\n');
      return 1;
    }
    await sessions.revokeAll({ db: store.db, clock }, owner);
    io.stderr.write('Every session token issued until now is revoked; API keys are unchanged.\n');
    return 0;
  } finally {
    await store.close();
  }
}
