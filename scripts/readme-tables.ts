/**
 * Prints the README's two generated tables, configuration and endpoint status, from the code
 * itself (src/config.ts SETTINGS and the routes the app registers) and the spec's §1.0 list.
 * `npx tsx scripts/readme-tables.ts --write` replaces them in README.md; test/docs checks them.
 */
import fs from 'node:fs';
import { buildApp } from '../src/app.js';
import { loadConfig, SETTINGS } from '../src/config.js';
import type { Deps } from '../src/services/deps.js';

const spec = fs.readFileSync(new URL('../../shared/spec/gumnut-api.md', import.meta.url), 'utf8');
const clean = (cell: string) => cell.replace(/`/g, '').trim();
const endpoints = [...spec.matchAll(/^\| (\d+) \| ([^|]+) \| ([^|]+) \| ([^|]+) \|/gm)].map((m) => ({ n: Number(m[1]), method: clean(m[2]), path: clean(m[3]), sdk: clean(m[4]) }));

const app = await buildApp({ config: loadConfig({}) } as Deps);
await app.ready();
const served = new Set(
  Object.entries((app.swagger() as { paths: Record<string, Record<string, unknown>> }).paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)),
);
await app.close();

const norm = (path: string) => path.replace(/\/$/, '').replace(/\{[^}]+\}/g, '{}');
const servedNorm = new Map([...served].map((s) => [s.replace(/ (.*)$/, (_m, p: string) => ` ${norm(p)}`), s]));

const config = [
  '| Variable | Default | Meaning |',
  '|---|---|---|',
  ...Object.values(SETTINGS).map((s) => `| \`${s.env}\` | ${s.default ? `\`${s.default}\`` : '(unset)'} | ${s.help} |`),
].join('\n');

const endpointTable = [
  '| # | Method | Path | Python SDK | Status here |',
  '|---|---|---|---|---|',
  ...endpoints.map((e) => {
    const route = servedNorm.get(`${e.method} ${norm(e.path)}`);
    const path = route ? route.slice(route.indexOf(' ') + 1) : e.path;
    return `| ${e.n} | ${e.method} | \`${path}\` | \`${e.sdk}\` | ${route ? 'implemented' : 'planned'} |`;
  }),
].join('\n');

if (process.argv.includes('--write')) {
  let readme = fs.readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  readme = readme.replace(/\| Variable \| Default \| Meaning \|\n(\|.*\n)+/, `${config}\n`);
  readme = readme.replace(/\| # \| Method \| Path \| Python SDK \| Status here \|\n(\|.*\n)+/, `${endpointTable}\n`);
  fs.writeFileSync(new URL('../README.md', import.meta.url), readme);
} else {
  console.log(`${config}\n\n${endpointTable}`);
}
