import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';

/**
 * Runs `create` (which makes a file in `dir`), creating `dir` first only if `create` finds it
 * missing: the folder almost always exists, and asking first costs a mkdir per file.
 */
export async function inFolder<T>(dir: string, create: () => T | Promise<T>): Promise<T> {
  try {
    return await create();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    fs.mkdirSync(dir, { recursive: true });
    return create();
  }
}

/**
 * Moves a finished file to `dest` (creating its folder): a rename, or a copy across devices.
 * The rename is synchronous like the other metadata calls on local files (see local-files.ts).
 */
export async function moveFile(from: string, dest: string): Promise<void> {
  try {
    await inFolder(path.dirname(dest), () => fs.renameSync(from, dest));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    await fsp.copyFile(from, dest);
    await fsp.rm(from, { force: true });
  }
}
