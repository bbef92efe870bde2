import type { BlobListing } from '../blobs/index.js';
import * as assetStore from '../store/assets.js';
import * as versionStore from '../store/asset-versions.js';
import type { Deps } from './deps.js';
import { derivedPrefix } from './renditions.js';

/** Keys checked against the database at a time. */
const BATCH = 500;

/**
 * The asset a blob belongs to, from its key, or undefined for a key of no layout we write (left
 * alone: never delete what we do not understand). Originals are `originals/<lib>/<xx>/<asset>.<ext>`,
 * edit versions `versions/<lib>/<xx>/<asset>/<sha>.<ext>`, renditions
 * `derived/<lib>/<xx>/<asset>/<version>/<name>`.
 */
function ownerOf(key: string): { kind: 'originals' | 'versions' | 'derived'; libraryId: string; assetId: string; versionId?: string } | undefined {
  const parts = key.split('/');
  const [kind, libraryId] = parts;
  if (kind === 'originals' && parts.length === 4) return { kind, libraryId, assetId: parts[3].replace(/\.[^.]*$/, '') };
  if (kind === 'versions' && parts.length === 5) return { kind, libraryId, assetId: parts[3] };
  if (kind === 'derived' && parts.length === 6) return { kind, libraryId, assetId: parts[3], versionId: parts[4] };
  return undefined;
}

/**
 * What to delete of these blobs: an original or edit whose key no row holds, and the folder of
 * renditions of an asset or version that is gone. Both tables count as references: an asset's
 * own `blob_key` and `current_version_id`, and every version row of it.
 */
async function unreferenced(deps: Pick<Deps, 'db'>, blobs: BlobListing[]): Promise<{ keys: string[]; prefixes: Set<string> }> {
  const owned = blobs.map((b) => ({ key: b.key, owner: ownerOf(b.key)! }));
  const assetIds = [...new Set(owned.map((o) => o.owner.assetId))];
  const assets = await assetStore.findByIdsAnyLibrary(deps.db, assetIds);
  const versions = await versionStore.listForAssets(deps.db, assetIds);
  const live = new Set(assets.map((a) => a.id));
  const versionIds = new Set([...assets.map((a) => a.current_version_id), ...versions.map((v) => v.id)]);
  const stored = new Set([...assets.map((a) => a.blob_key), ...versions.map((v) => v.blob_key)]);
  const keys: string[] = [];
  const prefixes = new Set<string>();
  for (const { key, owner } of owned) {
    if (owner.kind !== 'derived') {
      if (!stored.has(key)) keys.push(key);
      continue;
    }
    const folder = derivedPrefix({ library_id: owner.libraryId, id: owner.assetId });
    if (!live.has(owner.assetId)) prefixes.add(folder);
    else if (!versionIds.has(owner.versionId!)) prefixes.add(`${folder}${owner.versionId}/`);
  }
  return { keys, prefixes };
}

/**
 * Deletes blobs nothing refers to that are older than `olderThan`: the bytes of an upload or edit
 * whose process died between storing them and committing its rows (bytes go first, so a crash
 * never leaves a row without bytes), and renditions made while their asset was being deleted.
 * Younger blobs may belong to a commit still on its way. Returns how many keys or rendition
 * folders were deleted. An aborted `signal` ends it between blobs (a stopping worker must not
 * wait for a listing of the whole store); what it left is found by the next sweep.
 */
export async function sweepOrphanBlobs(deps: Pick<Deps, 'db' | 'blobs'>, olderThan: Date, signal?: AbortSignal): Promise<number> {
  let deleted = 0;
  const swept = new Set<string>();
  let batch: BlobListing[] = [];
  const flush = async () => {
    const { keys, prefixes } = await unreferenced(deps, batch);
    for (const key of keys) await deps.blobs.delete(key);
    deleted += keys.length;
    for (const prefix of prefixes) {
      if (swept.has(prefix)) continue;
      await deps.blobs.deletePrefix(prefix);
      swept.add(prefix);
      deleted++;
    }
    batch = [];
  };
  for (const prefix of ['originals/', 'versions/', 'derived/']) {
    for await (const blob of deps.blobs.list(prefix)) {
      if (signal?.aborted) return deleted;
      if (blob.modifiedAt >= olderThan || !ownerOf(blob.key)) continue;
      batch.push(blob);
      if (batch.length >= BATCH) await flush();
    }
  }
  if (batch.length > 0) await flush();
  return deleted;
}
