import type { AssetRow } from '../store/assets.js';
import type { Tx } from '../store/schema.js';
import { releaseDeleted } from './asset-versions.js';
import type { Deps } from './deps.js';
import { detachDeleted } from './stacks.js';

/**
 * What must change, in the deleting transaction, before assets are permanently deleted: their
 * stacks lose them (dissolving below two members, unpinning a deleted cover, with events) and
 * their edit versions release storage and queue their files for cleanup. Every path that
 * deletes asset rows (delete, empty trash, purge) calls this first.
 */
export async function beforeAssetsDeleted(trx: Tx, deps: Pick<Deps, 'dialect'>, userId: string, libraryId: string, assets: AssetRow[], now: string): Promise<void> {
  if (assets.length === 0) return;
  await detachDeleted(trx, deps, libraryId, assets, now);
  await releaseDeleted(trx, userId, libraryId, assets, now);
}
