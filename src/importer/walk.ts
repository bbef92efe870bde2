import type { Dirent, Stats } from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { mediaTypeOfFileName } from '../domain/media-types.js';

/** An image or video file found under the import folder. */
export interface LocalFile {
  /** Absolute path (through any symlinks, as found). */
  path: string;
  /** Relative to the import folder with `/` separators; sent as `device_asset_id`. */
  relativePath: string;
  mimeType: string;
  size: number;
  mtimeMs: number;
  /** 0 where the file system does not record it. */
  birthtimeMs: number;
}

export interface WalkProblem {
  path: string;
  reason: string;
}

export interface WalkResult {
  /** Media files, in a stable order (sorted by name within each folder, depth first). */
  files: LocalFile[];
  /** Files skipped because their extension is not an image or video type. */
  ignored: number;
  /** Media files or folders that could not be read (broken links, permissions). */
  problems: WalkProblem[];
}

const reasonOf = (err: unknown) => (err as NodeJS.ErrnoException)?.code ?? (err as Error)?.message ?? String(err);
const dirKey = (s: Stats) => `${s.dev}:${s.ino}`;

/**
 * Walks `root` recursively: skips names starting with `.`, follows symlinks but enters each
 * directory (by device and inode) once, so a link back to an ancestor cannot loop, and keeps
 * the files whose extension `mediaTypeOfFileName` accepts.
 */
export async function walk(root: string, signal?: AbortSignal): Promise<WalkResult> {
  const rootStat = await fsp.stat(root);
  if (!rootStat.isDirectory()) throw new Error(`${root} is not a folder`);
  const result: WalkResult = { files: [], ignored: 0, problems: [] };
  const seen = new Set([dirKey(rootStat)]);
  // Depth first, in name order: a stack of folders still to read, pushed in reverse.
  const stack: { dir: string; rel: string }[] = [{ dir: root, rel: '' }];
  while (stack.length) {
    signal?.throwIfAborted();
    const { dir, rel } = stack.pop()!;
    let entries: Dirent[];
    try {
      entries = await fsp.readdir(dir, { withFileTypes: true });
    } catch (err) {
      result.problems.push({ path: rel || '.', reason: `cannot read folder: ${reasonOf(err)}` });
      continue;
    }
    entries = entries.filter((e) => !e.name.startsWith('.')).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const subdirs: { dir: string; rel: string }[] = [];
    const found = await Promise.all(entries.map((entry) => visit(dir, rel, entry)));
    for (const item of found) {
      if (item === undefined) continue;
      if ('problem' in item) result.problems.push(item.problem);
      else if ('ignored' in item) result.ignored++;
      else if ('dir' in item) {
        if (seen.has(item.key)) continue;
        seen.add(item.key);
        subdirs.push(item);
      } else result.files.push(item);
    }
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i]);
  }
  return result;
}

type Visited = LocalFile | { dir: string; rel: string; key: string } | { ignored: true } | { problem: WalkProblem } | undefined;

async function visit(dir: string, rel: string, entry: Dirent): Promise<Visited> {
  const full = path.join(dir, entry.name);
  const relativePath = rel ? `${rel}/${entry.name}` : entry.name;
  if (!entry.isDirectory() && !entry.isFile() && !entry.isSymbolicLink()) return undefined; // sockets, fifos, devices
  const type = mediaTypeOfFileName(entry.name);
  // A regular file with another extension needs no stat; a link might be a folder, so it does.
  if (entry.isFile() && !type) return { ignored: true };
  let stat: Stats;
  try {
    stat = await fsp.stat(full);
  } catch (err) {
    if (!type && entry.isSymbolicLink()) return undefined; // a dangling link to something we would not import
    return { problem: { path: relativePath, reason: `cannot read: ${reasonOf(err)}` } };
  }
  if (stat.isDirectory()) return { dir: full, rel: relativePath, key: dirKey(stat) };
  if (!stat.isFile()) return undefined;
  if (!type) return { ignored: true };
  return { path: full, relativePath, mimeType: type.mimeType, size: stat.size, mtimeMs: stat.mtimeMs, birthtimeMs: stat.birthtimeMs };
}
