/**
 * Run an engine binary (ffmpeg, ffprobe) without a shell, collecting stdout and the tail of
 * stderr, with optional cancellation and a line callback for `-progress pipe:1`.
 */
import { spawn } from 'node:child_process';

export interface RunOptions {
  signal?: AbortSignal;
  /** Called for each complete stdout line; stdout is then not collected. */
  onStdoutLine?: (line: string) => void;
  /** Stop collecting stdout past this many bytes (default 16 MiB). */
  maxStdoutBytes?: number;
}

export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  /** The last 8 KiB of stderr. */
  readonly stderr: string;
}

const STDERR_TAIL = 8 * 1024;

export function runProcess(file: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], signal: options.signal, windowsHide: true });
    const stdoutChunks: Buffer[] = [];
    let stdoutBytes = 0;
    const maxStdout = options.maxStdoutBytes ?? 16 * 1024 * 1024;
    let pending = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      if (options.onStdoutLine) {
        pending += chunk.toString('utf8');
        let nl;
        while ((nl = pending.indexOf('\n')) >= 0) {
          options.onStdoutLine(pending.slice(0, nl).trimEnd());
          pending = pending.slice(nl + 1);
        }
      } else if (stdoutBytes < maxStdout) {
        stdoutChunks.push(chunk);
        stdoutBytes += chunk.length;
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL);
    });
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (options.onStdoutLine && pending) options.onStdoutLine(pending.trimEnd());
      resolve({ code, signal, stdout: Buffer.concat(stdoutChunks).toString('utf8'), stderr });
    });
  });
}
