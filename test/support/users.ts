import { newId } from '../../src/domain/ids.js';
import { createFullAccess } from '../../src/services/api-keys.js';
import { newLibraryRow } from '../../src/services/libraries.js';
import * as libraryStore from '../../src/store/libraries.js';
import * as userStore from '../../src/store/users.js';
import type { TestApp } from './app.js';

/** A second account with its own library and full-access key, to prove one caller never sees another's data. */
export async function createOtherUser(t: TestApp, name = 'other'): Promise<{ userId: string; libraryId: string; key: string }> {
  const deps = t.runtime.deps;
  const now = deps.clock().toISOString();
  const userId = newId('intuser');
  const key = `apikey_${name}_${newId('apikey').slice(7)}`;
  const library = newLibraryRow(deps, userId, `${name} library`);
  await deps.db.transaction().execute(async (trx) => {
    await userStore.insert(trx, {
      id: userId, email: `${name}@example.test`, first_name: null, last_name: null, is_active: 1, is_superuser: 0, is_verified: 1,
      timezone: null, storage_limit_bytes: null, storage_used_bytes: 0, sessions_valid_after: null, created_at: now, updated_at: now,
    });
    await libraryStore.insert(trx, library);
    await createFullAccess(trx, now, userId, `${name} key`, key);
  });
  return { userId, libraryId: library.id, key };
}

/** Another live library of the owner (there is no create route yet); library_id becomes required. */
export async function createOwnerLibrary(t: TestApp, userId: string, name: string): Promise<string> {
  const row = newLibraryRow(t.runtime.deps, userId, name);
  await libraryStore.insert(t.runtime.deps.db, row);
  return row.id;
}
