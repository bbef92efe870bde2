import fsp from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SETTINGS } from '../config.js';
import { INITIAL_KEY_FILE } from '../services/bootstrap.js';
import { normaliseServer } from './client.js';
import { cacheDir } from './hash-cache.js';
import { ImportError, importFolder } from './import.js';
import { createProgress, formatSummary } from './progress.js';

export const DEFAULT_SERVER = 'http://127.0.0.1:8000';

export const IMPORT_USAGE = `Usage: eucalypt import <folder> [options]

Uploads every image and video under <folder> (recursively; dotfiles skipped) to a Gumnut API
server. Files the library already holds (same SHA-256) are skipped, so an interrupted import
continues where it stopped when run again. Hashes are cached in ~/.cache/eucalypt.

Options:
  --server URL        Server to upload to (default: ${DEFAULT_SERVER})
  --api-key KEY       API key; default: $GUMNUT_API_KEY, then $EUCALYPT_API_KEY, then, for a
                      local server, <$EUCALYPT_DATA_DIR or ./data>/${INITIAL_KEY_FILE}
  --library-id ID     Library to import into (needed when the key sees several)
  --concurrency N     Files uploaded at once (default: 4)
  --dry-run           Hash and check, but upload nothing
  -h, --help          Show this help

Exit status: 0 when every file is on the server, 1 when some failed, 130 when interrupted.
`;

interface Io {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean; columns?: number };
}

class UsageError extends Error {}

/** `eucalypt import …`: parse flags, find the key, run the import, print the summary. */
export async function runImport(argv: string[], env: NodeJS.ProcessEnv = process.env, io: Io = process): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n\n${IMPORT_USAGE}`);
    return 2;
  }
  if (args.help) {
    io.stdout.write(IMPORT_USAGE);
    return 0;
  }
  const key = await findApiKey(args.apiKey, env, args.server);
  if (!key.value) {
    io.stderr.write(`${key.missing}\n`);
    return 2;
  }

  const controller = new AbortController();
  const progress = createProgress(io.stderr);
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(130);
    progress.log('Stopping (press Ctrl-C again to quit at once)…');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const summary = await importFolder({
      folder: args.folder,
      server: args.server,
      apiKey: key.value,
      libraryId: args.libraryId,
      concurrency: args.concurrency,
      dryRun: args.dryRun,
      cacheDir: cacheDir(env),
      signal: controller.signal,
      progress,
    });
    io.stdout.write(formatSummary(summary));
    if (summary.stopped === 'interrupted') return 130;
    return summary.failed.length || summary.stopped ? 1 : 0;
  } catch (err) {
    progress.finish();
    if (!(err instanceof ImportError)) throw err;
    const hint = err.status === 401 ? ` The key came from ${key.source}; pass another with --api-key or GUMNUT_API_KEY.` : '';
    io.stderr.write(`eucalypt import: ${err.message}${hint}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function parse(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      server: { type: 'string' },
      'api-key': { type: 'string' },
      'library-id': { type: 'string' },
      concurrency: { type: 'string' },
      'dry-run': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return { help: true } as const;
  if (positionals.length !== 1) throw new UsageError(positionals.length ? `Expected one folder, got ${positionals.length}: ${positionals.join(' ')}` : 'Missing the folder to import');
  const concurrency = values.concurrency === undefined ? 4 : Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new UsageError(`--concurrency must be a whole number from 1 to 64, got ${JSON.stringify(values.concurrency)}`);
  const server = normaliseServer(values.server ?? DEFAULT_SERVER);
  return {
    help: false,
    folder: positionals[0],
    server,
    apiKey: values['api-key'],
    libraryId: values['library-id'],
    concurrency,
    dryRun: values['dry-run'] ?? false,
  } as const;
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** --api-key, else GUMNUT_API_KEY / EUCALYPT_API_KEY, else a local server's initial key file. */
export async function findApiKey(flag: string | undefined, env: NodeJS.ProcessEnv, server: string): Promise<{ value?: string; source?: string; missing?: string }> {
  if (flag) return { value: flag.trim(), source: '--api-key' };
  for (const name of ['GUMNUT_API_KEY', SETTINGS.apiKey.env]) {
    if (env[name]) return { value: env[name]!.trim(), source: `$${name}` };
  }
  const advice = 'No API key: pass --api-key KEY or set GUMNUT_API_KEY.';
  if (!LOCAL_HOSTS.has(new URL(server).hostname)) return { missing: advice };
  const file = path.resolve(env[SETTINGS.dataDir.env] || SETTINGS.dataDir.default, INITIAL_KEY_FILE);
  try {
    const value = (await fsp.readFile(file, 'utf8')).trim();
    if (value) return { value, source: file };
  } catch {
    // fall through
  }
  return { missing: `${advice} (No ${file} either: the server writes it on its first start; set ${SETTINGS.dataDir.env} to its data folder.)` };
}
