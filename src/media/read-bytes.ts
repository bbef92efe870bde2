import fs from 'node:fs';

/**
 * Up to `length` bytes from `position` of a local file (a header, a trailer), read synchronously:
 * a few system calls of microseconds each, where the asynchronous calls would cost 100–250 µs of
 * CPU apiece handing the work to libuv's thread pool under load (blobs/local-files.ts).
 */
export function readBytes(file: string, length: number, position = 0): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(length);
    return buffer.subarray(0, fs.readSync(fd, buffer, 0, length, position));
  } finally {
    fs.closeSync(fd);
  }
}
