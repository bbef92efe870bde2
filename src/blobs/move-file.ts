import fsp from 'node:fs/promises';
import path from 'node:path';

/** Moves a finished file to `dest` (creating its folder): a rename, or a copy across devices. */
export async function moveFile(from: string, dest: string): Promise<void> {
  await fsp.mkdir(path.dirname(dest), { recursive: true });
  try {
    await fsp.rename(from, dest);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    await fsp.copyFile(from, dest);
    await fsp.rm(from, { force: true });
  }
}
