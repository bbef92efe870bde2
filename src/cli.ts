#!/usr/bin/env node
import { runApiKeyCommand } from './commands/api-key.js';
import { runSessionsCommand } from './commands/sessions.js';
import { ConfigError, configHelp, loadConfig } from './config.js';
import { runImport } from './importer/command.js';
import { serve, work } from './server.js';
import { migrate, openStore } from './store/db.js';
import { VERSION } from './version.js';

const USAGE = `eucalypt ${VERSION} — a self-hosted photos and videos server that speaks the Gumnut API

Usage: eucalypt [command]

Commands:
  serve      Start the HTTP API (default). Migrates the database and, on first start,
             creates the owner, a "Default Library" and an API key.
  worker     Run background tasks only (scale out beside \`serve\` on PostgreSQL).
  migrate    Apply database migrations and exit.
  import     Upload a folder of photos and videos to a running server (this one or any
             Gumnut API server): eucalypt import <folder> [--server URL] [--api-key KEY]
             [--library-id ID] [--concurrency N] [--dry-run]. See \`eucalypt import --help\`.
  api-key    Create, list and revoke API keys, e.g. a read-only key for a gallery front end:
             eucalypt api-key create --name gallery --actions read. See \`eucalypt api-key --help\`.
  sessions   \`eucalypt sessions revoke\` ends every login made through the identity provider.
  help       Show this help.

Configuration (environment variables):
${configHelp()}
`;

async function main(argv: string[]): Promise<number> {
  const command = argv[0] ?? 'serve';
  if (command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (command === '--version' || command === '-v') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  // A client of the API, not the server: it reads no server configuration.
  if (command === 'import') return runImport(argv.slice(1));
  const config = loadConfig();
  if (command === 'serve') {
    await serve(config);
    return -1;
  }
  if (command === 'worker') {
    await work(config);
    return -1;
  }
  if (command === 'api-key') return runApiKeyCommand(argv.slice(1), config);
  if (command === 'sessions') return runSessionsCommand(argv.slice(1), config);
  if (command === 'migrate') {
    const store = openStore(config);
    try {
      const applied = await migrate(store.db);
      process.stdout.write(applied.length ? `Applied: ${applied.join(', ')}\n` : 'Database is up to date.\n');
    } finally {
      await store.close();
    }
    return 0;
  }
  process.stderr.write(`Unknown command: ${command}\n\n${USAGE}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    process.stderr.write(err instanceof ConfigError ? `Configuration error: ${err.message}\n` : `${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  },
);
