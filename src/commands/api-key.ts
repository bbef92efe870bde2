import { parseArgs } from 'node:util';
import { parseActions } from '../domain/api-key-grants.js';
import type { Config } from '../config.js';
import * as apiKeys from '../services/api-keys.js';
import type { ApiKeyRow } from '../store/api-keys.js';
import { migrate, openStore } from '../store/db.js';

export const API_KEY_USAGE = `Usage: eucalypt api-key <command>

Manages the owner's API keys in this server's database (the same DATABASE_URL or
EUCALYPT_DATA_DIR as \`eucalypt serve\`; the server may be running).

Commands:
  create --name NAME --actions LIST [--libraries IDS]
                                      Make a key and print it once. LIST is a comma-separated
                                      subset of read, write, delete, delete_permanently, with
                                      read always included: read = look only; write = upload
                                      and change; delete = trash, restore, delete albums,
                                      faces, people, stacks; delete_permanently = hard delete,
                                      empty trash, purge libraries, delete versions.
                                      --libraries lib_a,lib_b limits the key to those libraries
                                      (others look missing to it; it cannot create libraries);
                                      without it the key reaches every library, also future ones.
  list                                Every key: id, state, actions, libraries, last use, name.
  revoke ID                           Disable a key at once (it stays listed as inactive).
`;

/** Where a command writes; tests pass their own. */
export interface CommandIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

class UsageError extends Error {}

const list = (text: string) => text.split(',').map((item) => item.trim()).filter(Boolean);

function describe(row: ApiKeyRow): string {
  const actions = (JSON.parse(row.actions) as string[]).join(',');
  const state = row.is_active ? 'active' : 'revoked';
  const libraries = row.library_ids === null ? 'all libraries' : (JSON.parse(row.library_ids) as string[]).join(',');
  return `${row.id}  ${state.padEnd(7)}  ${actions.padEnd(37)}  ${libraries}  last used ${row.last_used_at ?? 'never'}  ${row.name ?? ''}`;
}

/** `eucalypt api-key …`: returns the exit status. */
export async function runApiKeyCommand(argv: string[], config: Pick<Config, 'databaseUrl' | 'dataDir'>, io: CommandIo = process): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    io.stdout.write(API_KEY_USAGE);
    return command ? 0 : 2;
  }
  const store = openStore(config);
  try {
    await migrate(store.db);
    const deps = { db: store.db, clock: () => new Date() };
    if (command === 'create') {
      const { values } = parseArgs({ args: rest, options: { name: { type: 'string' }, actions: { type: 'string' }, libraries: { type: 'string' } }, strict: true });
      if (!values.name?.trim()) throw new UsageError('--name is required');
      if (values.actions === undefined) throw new UsageError('--actions is required, e.g. --actions read or --actions read,write');
      const parsed = parseActions(list(values.actions));
      if ('error' in parsed) throw new UsageError(parsed.error);
      const libraryIds = values.libraries === undefined ? null : [...new Set(list(values.libraries))];
      if (libraryIds !== null && (libraryIds.length < 1 || libraryIds.length > 200)) throw new UsageError('--libraries takes 1 to 200 library ids (lib_…)');
      const made = await apiKeys.createForOwner(deps, { name: values.name.trim(), actions: parsed.actions, libraryIds });
      if ('error' in made) {
        io.stderr.write(`${made.error}\n`);
        return 1;
      }
      io.stdout.write(`${made.raw}\n`);
      const scope = libraryIds === null ? 'all libraries' : `libraries ${libraryIds.join(', ')}`;
      io.stderr.write(`Created ${made.row.id} (${parsed.actions.join(', ')}; ${scope}). The key above is shown only now; store it safely.\n`);
      return 0;
    }
    if (command === 'list') {
      for (const row of await apiKeys.listForOwner(deps)) io.stdout.write(`${describe(row)}\n`);
      return 0;
    }
    if (command === 'revoke') {
      if (rest.length !== 1) throw new UsageError('revoke takes one key id (apikey_…), see `eucalypt api-key list`');
      if (!(await apiKeys.revoke(deps, rest[0]))) {
        io.stderr.write(`No API key ${rest[0]}\n`);
        return 1;
      }
      io.stderr.write(`Revoked ${rest[0]}\n`);
      return 0;
    }
    throw new UsageError(`Unknown api-key command: ${command}`);
  } catch (err) {
    if (!(err instanceof UsageError) && !String((err as { code?: string }).code).startsWith('ERR_PARSE_ARGS')) throw err;
    io.stderr.write(`${(err as Error).message}\n\n${API_KEY_USAGE}`);
    return 2;
  } finally {
    await store.close();
  }
}
