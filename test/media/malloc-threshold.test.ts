import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const glibc = process.platform === 'linux' && Boolean((process.report.getReport() as { header: { glibcVersionRuntime?: string } }).header.glibcVersionRuntime);
const PHOTO = path.resolve(__dirname, '../../../shared/media/gps/spain_madrid_iphone6.jpg');
const CHILD = path.resolve(__dirname, 'fixtures/malloc-faults.ts');

function faultsPerRendering(raise: boolean): number {
  const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', CHILD, PHOTO, raise ? 'raise' : 'plain'], { encoding: 'utf8' });
  return (JSON.parse(out.trim().split('\n').pop()!) as { faultsPerRendering: number }).faultsPerRendering;
}

describe.runIf(glibc)('raiseMallocThreshold', () => {
  it('stops libvips buffers being faulted in afresh for every photo', () => {
    const plain = faultsPerRendering(false);
    const raised = faultsPerRendering(true);
    // Measured: ~690 page faults per rendering of this 8 MP photo, ~140 once raised.
    expect(plain).toBeGreaterThan(400);
    expect(raised).toBeLessThan(plain / 3);
  }, 60_000);
});
