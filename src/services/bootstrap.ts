import fsp from 'node:fs/promises';
import path from 'node:path';
import { newId } from '../domain/ids.js';
import * as libraryStore from '../store/libraries.js';
import * as userStore from '../store/users.js';
import { createFullAccess, generateRawKey } from './api-keys.js';
import { type Deps, nowText } from './deps.js';
import { DEFAULT_LIBRARY_NAME, newLibraryRow } from './libraries.js';

export const INITIAL_KEY_FILE = 'initial-api-key';

/**
 * First start on an empty database: the owner, their "Default Library" and a full-access API key
 * (the configured one, or a random one written to `<data dir>/initial-api-key`, mode 0600).
 * Returns the raw key when one was created, so the CLI can print it once.
 */
export async function ensureOwner(deps: Pick<Deps, 'db' | 'clock' | 'config'>): Promise<string | undefined> {
  const raw = deps.config.apiKey ?? generateRawKey();
  const created = await deps.db.transaction().execute(async (trx) => {
    if ((await userStore.count(trx)) > 0) return false;
    const now = nowText(deps);
    const userId = newId('intuser');
    await userStore.insert(trx, {
      id: userId,
      email: null,
      first_name: null,
      last_name: null,
      is_active: 1,
      is_superuser: 1,
      is_verified: 1,
      timezone: null,
      storage_limit_bytes: deps.config.userStorageLimitBytes,
      storage_used_bytes: 0,
      sessions_valid_after: null,
      created_at: now,
      updated_at: now,
    });
    await libraryStore.insert(trx, newLibraryRow({ ...deps }, userId, DEFAULT_LIBRARY_NAME));
    await createFullAccess(trx, now, userId, 'Initial key', raw);
    return true;
  });
  if (!created) return undefined;
  await fsp.mkdir(deps.config.dataDir, { recursive: true });
  const file = path.join(deps.config.dataDir, INITIAL_KEY_FILE);
  await fsp.writeFile(file, `${raw}\n`, { mode: 0o600 });
  await fsp.chmod(file, 0o600);
  return raw;
}
