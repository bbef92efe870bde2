/**
 * The one ExifTool process pool the media adapters share. ExifTool runs as long-lived Perl
 * child processes (exiftool-vendored); they keep the Node process alive until `closeExifTool()`.
 */
import { ExifTool } from 'exiftool-vendored';

let instance: ExifTool | undefined;

export function sharedExifTool(): ExifTool {
  instance ??= new ExifTool({ maxProcs: 2, taskTimeoutMillis: 30_000 });
  return instance;
}

/** End the shared ExifTool processes (call on shutdown and after tests). */
export async function closeExifTool(): Promise<void> {
  const current = instance;
  instance = undefined;
  await current?.end();
}
