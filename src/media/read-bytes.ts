import fs from 'node:fs';

/**
 * Up to `length` bytes from `position` of a local file (a header, a trailer), read synchronously:
 * a few system calls of microseconds each, where the asynchronous calls would cost 100–250 µs of
 * CPU apiece handing the work to libuv's thread pool under load (blobs/local-files.ts).
 */
export function readBytes(file: string, length: number, position = 0): Buffer {
  return withFile(file, (fd) => readAt(fd, Buffer.allocUnsafe(length), position));
}

/**
 * A file's first bytes into `head`, a buffer the caller reuses (the result is a view of it), and
 * its last `tailLength` bytes, with one open.
 */
export function readEnds(file: string, head: Buffer, tailLength: number): { head: Buffer; tail: Buffer } {
  return withFile(file, (fd) => {
    const { size } = fs.fstatSync(fd);
    const tail = Buffer.allocUnsafe(Math.min(tailLength, size));
    return { head: readAt(fd, head, 0), tail: readAt(fd, tail, size - tail.length) };
  });
}

const readAt = (fd: number, target: Buffer, position: number) => target.subarray(0, fs.readSync(fd, target, 0, target.length, position));

function withFile<T>(file: string, read: (fd: number) => T): T {
  const fd = fs.openSync(file, 'r');
  try {
    return read(fd);
  } finally {
    fs.closeSync(fd);
  }
}
