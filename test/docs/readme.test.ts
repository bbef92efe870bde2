import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig, SETTINGS } from '../../src/config.js';
import type { Deps } from '../../src/services/deps.js';

const README = fs.readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The cells of the markdown table rows whose first cell matches `first`. */
function rows(first: RegExp): string[][] {
  return README.split('\n')
    .filter((line) => line.startsWith('|'))
    .map((line) => line.slice(1, -1).split('|').map((cell) => cell.trim()))
    .filter((cells) => first.test(cells[0]));
}

describe('README', () => {
  it('configuration table lists every setting of src/config.ts with its default and meaning', () => {
    const table = new Map(rows(/^`[A-Z0-9_]+`$/).map((cells) => [cells[0].slice(1, -1), cells]));
    expect([...table.keys()].sort()).toEqual(Object.values(SETTINGS).map((s) => s.env).sort());
    for (const s of Object.values(SETTINGS)) {
      const [, defaultCell, meaning] = table.get(s.env)!;
      expect(defaultCell, s.env).toBe(s.default ? `\`${s.default}\`` : '(unset)');
      expect(meaning, s.env).toBe(s.help);
    }
  });

  it('endpoint table has the 78 Gumnut endpoints and marks implemented exactly the routes the app serves', async () => {
    const endpoints = rows(/^\d+$/);
    expect(endpoints.map((cells) => Number(cells[0]))).toEqual(Array.from({ length: 78 }, (_, i) => i + 1));
    const documented = endpoints.filter((cells) => cells[4] === 'implemented').map((cells) => `${cells[1]} ${cells[2].replace(/`/g, '')}`);
    expect(endpoints.every((cells) => ['implemented', 'planned', 'first-party only'].includes(cells[4]))).toBe(true);

    // Routes only need their deps when called; the OpenAPI document is built from registration.
    const app = await buildApp({ config: loadConfig({}) } as Deps);
    await app.ready();
    // First-party-only routes exist (they answer 403 to API keys) but stay out of the document.
    for (const [, method, path, , status] of endpoints) {
      const route = { method: method as 'GET', url: path.replace(/`/g, '').replace(/\{(\w+)\}/g, ':$1').replace(/\/$/, '') };
      expect(app.hasRoute(route), `${method} ${path}`).toBe(status !== 'planned');
    }
    const served = Object.entries((app.swagger() as { paths: Record<string, Record<string, unknown>> }).paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
    );
    await app.close();
    expect(documented.sort()).toEqual(served.sort());
  });
});
