/**
 * Where ffmpeg and ffprobe live, decided once per process: `FFMPEG_PATH` / `FFPROBE_PATH`
 * when set, else the first executable on `PATH` (a distribution build is newer and better
 * maintained), else the static builds shipped in npm by `@ffmpeg-installer/ffmpeg` (a 2018
 * build) and `@ffprobe-installer/ffprobe` (2023).
 */
import { accessSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';

export type BinarySource = 'env' | 'path' | 'npm';

export interface BinaryLocation {
  readonly path: string;
  readonly source: BinarySource;
}

export interface FfmpegBinaries {
  readonly ffmpeg: BinaryLocation;
  readonly ffprobe: BinaryLocation;
}

let located: FfmpegBinaries | undefined;

/** Throws when a binary cannot be found anywhere (an installation problem, not a media one). */
export function ffmpegBinaries(): FfmpegBinaries {
  located ??= {
    ffmpeg: locate('ffmpeg', 'FFMPEG_PATH', '@ffmpeg-installer/ffmpeg'),
    ffprobe: locate('ffprobe', 'FFPROBE_PATH', '@ffprobe-installer/ffprobe'),
  };
  return located;
}

function locate(name: string, envVar: string, npmPackage: string): BinaryLocation {
  const fromEnv = process.env[envVar];
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new Error(`${envVar} is set to ${fromEnv}, which is not an executable file`);
    return { path: fromEnv, source: 'env' };
  }
  const onPath = findOnPath(name);
  if (onPath) return { path: onPath, source: 'path' };
  try {
    const installer = createRequire(import.meta.url)(npmPackage) as { path?: unknown };
    if (typeof installer.path === 'string' && isExecutable(installer.path)) return { path: installer.path, source: 'npm' };
  } catch {
    // not installed, or no build for this platform
  }
  throw new Error(`${name} not found: set ${envVar}, put ${name} on PATH, or install ${npmPackage}`);
}

function findOnPath(name: string): string | null {
  const extensions = process.platform === 'win32' ? ['.exe', '.cmd', ''] : [''];
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    for (const ext of extensions) {
      const candidate = join(dir, name + ext);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return null;
}

function isExecutable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
