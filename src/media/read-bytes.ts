import fs from 'node:fs';

/**
 * Up to `length` bytes from `position` of a local file (a header, a trailer), read synchronously:
 * a few system calls of microseconds each, where the asynchronous calls would cost 100–250 µs of
 * CPU apiece handing the work to libuv's thread pool under load (blobs/local-files.ts).
 */
export function readBytes(file: string, length: number, position = 0): Buffer {
  return readInto(file, Buffer.allocUnsafe(length), position);
}

/** `readBytes` into a buffer the caller reuses; the bytes read, as a view of `target`. */
export function readInto(file: string, target: Buffer, position = 0): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    return target.subarray(0, fs.readSync(fd, target, 0, target.length, position));
  } finally {
    fs.closeSync(fd);
  }
}
