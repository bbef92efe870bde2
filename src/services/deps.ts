import type { BlobStore } from '../blobs/index.js';
import type { Config } from '../config.js';
import type { Action } from '../domain/api-key-grants.js';
import type { DialectAdapter } from '../store/dialect/adapter.js';
import type { LibraryAccess } from '../store/libraries.js';
import type { Db } from '../store/schema.js';

/** Everything a use case may need; each service function picks the few it uses. */
export interface Deps {
  db: Db;
  dialect: DialectAdapter;
  blobs: BlobStore;
  clock: () => Date;
  config: Config;
  /** Folder for uploads in flight, on the same file system as local blobs. */
  tmpDir: string;
  /** Key for media URL signatures, shared by every process through the database. */
  signingSecret: string;
  /** Tells local workers that a commit enqueued tasks, so they start without waiting for a poll. */
  wake: () => void;
}

export type { Action };

/** Who is calling: the owner of the credential and what it may do. */
export interface Principal extends LibraryAccess {
  userId: string;
  /** Null for a first-party session (services/sessions.ts). */
  apiKeyId: string | null;
  actions: ReadonlySet<Action>;
}

export const nowText = (deps: Pick<Deps, 'clock'>) => deps.clock().toISOString();
