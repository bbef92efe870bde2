import { type ChildProcess, spawn } from 'node:child_process';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { mediaFile } from '../support/media.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const KEY = 'apikey_worker_process_0123456789abcdef';

function start(command: 'serve' | 'worker', env: Record<string, string>): ChildProcess {
  // Output to nowhere, as under a service manager writing to a file: nothing on stdout keeps the process up.
  return spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), command], {
    cwd: ROOT,
    env: { ...process.env, EUCALYPT_LOG_LEVEL: 'warn', EUCALYPT_FACES: 'off', EUCALYPT_LABELS: 'off', EUCALYPT_OCR: 'off', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

const exited = (child: ChildProcess) => new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', resolve)));

describe('eucalypt worker as its own process', () => {
  const children: ChildProcess[] = [];
  let work: string;
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await fsp.rm(work, { recursive: true, force: true });
  });

  it('runs the tasks a worker-less server queued, stays up while idle, and stops on SIGTERM', async () => {
    work = await fsp.mkdtemp(path.join(os.tmpdir(), 'eucalypt-worker-'));
    const port = 19000 + Math.floor(Math.random() * 1000);
    const env = { EUCALYPT_DATA_DIR: work, EUCALYPT_API_KEY: KEY };
    const server = start('serve', { ...env, EUCALYPT_PORT: String(port), EUCALYPT_WORKERS: '0' });
    children.push(server);
    const base = `http://127.0.0.1:${port}`;
    const auth = { authorization: `Bearer ${KEY}` };
    for (let i = 0; !(await fetch(`${base}/api/server/ping`).then((r) => r.ok, () => false)); i++) {
      if (i > 300) throw new Error('server did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
    for (const file of ['gps/spain_madrid_iphone6.jpg', 'jpeg/nature/silver_fir.jpg']) {
      const form = new FormData();
      form.set('asset_data', new Blob([await fsp.readFile(mediaFile(file))]), path.basename(file));
      for (const name of ['device_asset_id', 'device_id']) form.set(name, file);
      for (const name of ['file_created_at', 'file_modified_at']) form.set(name, '2024-01-01T00:00:00Z');
      expect((await fetch(`${base}/api/assets`, { method: 'POST', headers: auth, body: form })).status).toBe(201);
    }
    const tasks = async () => (await (await fetch(`${base}/api/tasks/?limit=100`, { headers: auth })).json()) as { task_type: string; status: string }[];
    await new Promise((r) => setTimeout(r, 500));
    expect((await tasks()).filter((t) => t.task_type === 'thumbhash').map((t) => t.status)).toEqual(['pending', 'pending']);

    const worker = start('worker', env);
    children.push(worker);
    for (let i = 0; (await tasks()).some((t) => t.task_type !== 'embedding' && t.status !== 'success'); i++) {
      expect(worker.exitCode, 'the worker exited while tasks were left').toBeNull();
      if (i > 600) throw new Error('tasks did not finish');
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 1500));
    expect(worker.exitCode, 'the worker exited while idle').toBeNull();
    worker.kill('SIGTERM');
    expect(await exited(worker)).toBe(0);
  }, 120_000);
});
