import { captureColumns, effectiveValues } from '../domain/asset-metadata.js';
import { getReverseGeocoder } from '../geo/reverse-geocoder.js';
import * as assetStore from '../store/assets.js';
import * as eventStore from '../store/events.js';
import * as searchIndex from '../services/search-index.js';
import type { AssetTaskPayload } from './asset-task.js';
import type { TaskHandler } from './task.js';

const NO_PLACE = { city: null, state: null, country: null, country_code: null, timezone: null };

/**
 * GPS → city, state, country, time zone (offline), and the capture offset that zone implies for
 * a naive file time (§3.8). Runs after upload and whenever the effective GPS changes; reads
 * and writes in one transaction, so a concurrent GPS edit is never overwritten with stale names.
 */
export const reverseGeocoding: TaskHandler<AssetTaskPayload> = {
  type: 'reverse_geocoding',
  async run({ deps }, { asset_id }) {
    return deps.db.transaction().execute(async (trx) => {
      const [asset] = await assetStore.findByIdsAnyLibrary(trx, [asset_id]);
      const [meta] = await assetStore.findMetadata(trx, [asset_id]);
      if (!asset || !meta) return 'skipped';
      const { latitude, longitude } = effectiveValues(meta, meta);
      const place = latitude !== null && longitude !== null ? getReverseGeocoder().lookup(latitude, longitude) : NO_PLACE;
      const capture = captureColumns(meta, { ...meta, timezone: place.timezone }, asset);
      const now = deps.clock().toISOString();
      await assetStore.updateMetadata(trx, asset_id, { ...place, updated_at: now });
      const events: eventStore.NewEvent[] = [{ library_id: asset.library_id, entity_type: 'metadata', entity_id: asset_id, event_type: 'metadata_updated' }];
      if (capture.local_wall !== asset.local_wall || capture.local_offset !== asset.local_offset) {
        await assetStore.update(trx, asset_id, { ...capture, updated_at: now });
        events.push({ library_id: asset.library_id, entity_type: 'asset', entity_id: asset_id, event_type: 'asset_updated', payload: { stack_id: asset.stack_id } });
      }
      await eventStore.append(trx, deps.dialect, now, events);
      await searchIndex.refresh(trx, now, [asset_id]);
      return { result: place.country_code ? `${[place.city, place.country_code].filter(Boolean).join(', ')} (${place.timezone})` : 'no location' };
    });
  },
};
