import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The server `npm start` runs; benches measure it rather than the sources under tsx. */
export const SERVER_ENTRY = path.join(ROOT, 'dist', 'cli.js');

/** The Node flags of `npm start` (package.json is their one home), so a bench runs the server as users do. */
export const SERVER_NODE_FLAGS: string[] = (() => {
  const start = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  const flags = /^node\s+(.*?)\s*dist\/cli\.js\b/.exec(start)?.[1];
  if (flags === undefined) throw new Error(`package.json start script is not "node [flags] dist/cli.js …": ${start}`);
  return flags.split(/\s+/).filter(Boolean);
})();

/** Builds dist/ from the current sources, so the bench measures what it was given. */
export function buildDist(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('tsc -p tsconfig.build.json failed');
}
