import fsp from 'node:fs/promises';
import path from 'node:path';

/**
 * Runs `create` (which makes a file in `dir`), creating `dir` first only if `create` finds it
 * missing: the folder almost always exists, and asking first costs a mkdir per file.
 */
export async function inFolder<T>(dir: string, create: () => Promise<T>): Promise<T> {
  try {
    return await create();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    await fsp.mkdir(dir, { recursive: true });
    return create();
  }
}

/** Moves a finished file to `dest` (creating its folder): a rename, or a copy across devices. */
export async function moveFile(from: string, dest: string): Promise<void> {
  try {
    await inFolder(path.dirname(dest), () => fsp.rename(from, dest));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    await fsp.copyFile(from, dest);
    await fsp.rm(from, { force: true });
  }
}
