/**
 * How the server touches local files on its hot paths. Metadata calls (open, close, rename,
 * mkdir, unlink) and small reads of fresh files are synchronous: under load, an asynchronous
 * `fs` call costs 100–250 µs of CPU handing the work to libuv's thread pool and back, against
 * 7–10 µs for the system call itself, and an upload makes about fifteen of them. Writing data and
 * fsync stay asynchronous, since they may wait on the disk.
 */
import fs from 'node:fs';
import { promisify } from 'node:util';

const fsyncAsync = promisify(fs.fsync);
const writevAsync = promisify(fs.writev);

/** Writes every byte of `chunks` at the file's current position, however the kernel splits it. */
export async function writeAll(fd: number, chunks: readonly Buffer[]): Promise<void> {
  let pending = chunks.filter((c) => c.length > 0);
  while (pending.length > 0) {
    let { bytesWritten: written } = await writevAsync(fd, pending);
    // A short write is rare on a local file: drop what went out and write the rest.
    const rest: Buffer[] = [];
    for (const chunk of pending) {
      if (written >= chunk.length) written -= chunk.length;
      else {
        rest.push(chunk.subarray(written));
        written = 0;
      }
    }
    pending = rest;
  }
}

/** fsync, off the event loop: it waits on the disk. */
export const fsyncFd = (fd: number): Promise<void> => fsyncAsync(fd);

/** Flushes a folder's entries (a new or renamed file in it) to disk. */
export async function fsyncFolder(dir: string): Promise<void> {
  const fd = fs.openSync(dir, 'r');
  try {
    await fsyncFd(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Removes a file if it is there. */
export function removeFile(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
