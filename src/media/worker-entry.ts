import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * How to start the worker-thread module `name` that sits beside `fromUrl`: the compiled `.js`
 * when running from dist/; from TypeScript sources (vitest, tsx) a bootstrap that registers
 * tsx's loader first, since a worker does not inherit the parent's loaders.
 */
export function workerEntry(fromUrl: string, name: string): { filename: string | URL; options: { eval?: boolean } } {
  const compiled = new URL(`./${name}.js`, fromUrl);
  if (existsSync(fileURLToPath(compiled))) return { filename: compiled, options: {} };
  const source = new URL(`./${name}.ts`, fromUrl).href;
  const tsxPackage = createRequire(fromUrl).resolve('tsx/package.json');
  const tsxApi = new URL('dist/esm/api/index.mjs', pathToFileURL(tsxPackage)).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(source)}); });`;
  return { filename: bootstrap, options: { eval: true } };
}
