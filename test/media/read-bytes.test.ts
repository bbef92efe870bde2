import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBytes, readEnds } from '../../src/media/read-bytes.js';

let work: string;
beforeAll(async () => {
  work = await fsp.mkdtemp(path.join(os.tmpdir(), 'eucalypt-read-bytes-'));
});
afterAll(async () => {
  await fsp.rm(work, { recursive: true, force: true });
});

async function fileOf(name: string, bytes: number[]): Promise<string> {
  const file = path.join(work, name);
  await fsp.writeFile(file, Buffer.from(bytes));
  return file;
}

describe('readBytes and readEnds', () => {
  it('reads a header, a trailer and no further than the end', async () => {
    const file = await fileOf('ten', [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect([...readBytes(file, 4)]).toEqual([0, 1, 2, 3]);
    expect([...readBytes(file, 2, 8)]).toEqual([8, 9]);
    expect([...readBytes(file, 64)]).toHaveLength(10);
    expect(readBytes(file, 4, 10)).toHaveLength(0);
  });

  it('a reused head buffer shows only the bytes of the latest read, with the tail of each file', async () => {
    const long = await fileOf('long', [1, 1, 1, 1, 1, 9]);
    const short = await fileOf('short', [2, 3]);
    const target = Buffer.alloc(8);
    const first = readEnds(long, target, 2);
    expect([...first.head]).toEqual([1, 1, 1, 1, 1, 9]);
    expect([...first.tail]).toEqual([1, 9]);
    const again = readEnds(short, target, 4);
    expect([...again.head]).toEqual([2, 3]);
    expect([...again.tail]).toEqual([2, 3]);
    expect(again.head.buffer).toBe(target.buffer);
  });

  it('names a missing file in its error', () => {
    expect(() => readEnds(path.join(work, 'missing'), Buffer.alloc(4), 2)).toThrow(/ENOENT.*missing/);
  });
});
