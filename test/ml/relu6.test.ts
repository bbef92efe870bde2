import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import '@tensorflow/tfjs-backend-cpu';
import { GraphModel } from '@tensorflow/tfjs-converter';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { type FusableModel, fuseClippedRelu, fuseClippedReluInPlace, type GraphNode } from '../../src/ml/relu6.js';

const node = (name: string, op: string, ...input: string[]): GraphNode => ({ name, op, input });
const constants: Record<string, number> = { six: 6, zero: 0, five: 5 };
const chain = (six = 'six'): GraphNode[] => [
  node('x', 'Placeholder'),
  node('six', 'Const'),
  node('five', 'Const'),
  node('zero', 'Const'),
  node('relu', 'Relu', 'x'),
  node('min', 'Minimum', 'relu', six),
  node('clip', 'Maximum', 'min', 'zero'),
  node('out', 'Identity', 'clip'),
];

describe('fusing clipped ReLUs into Relu6', () => {
  it('replaces Relu → Minimum(6) → Maximum(0) with one Relu6 under the last name', () => {
    const fused = fuseClippedRelu(chain(), (name) => constants[name]);
    expect(fused.filter((n) => n.op !== 'Const').map((n) => [n.name, n.op, n.input])).toEqual([
      ['x', 'Placeholder', []],
      ['clip', 'Relu6', ['x']],
      ['out', 'Identity', ['clip']],
    ]);
  });

  it('leaves other clips and chains whose intermediate results are used elsewhere alone', () => {
    expect(fuseClippedRelu(chain('five'), (name) => constants[name])).toEqual(chain('five'));
    const shared = [...chain(), node('other', 'Identity', 'relu')];
    expect(fuseClippedRelu(shared, (name) => constants[name])).toEqual(shared);
  });

  describe("on human's FaceRes", () => {
    const require = createRequire(import.meta.url);
    const models = path.join(path.dirname(require.resolve('@vladmandic/human')), '..', 'models');
    let model: GraphModel<tf.io.IOHandlerSync>;
    beforeAll(async () => {
      await tf.setBackend('cpu');
      const json = JSON.parse(readFileSync(path.join(models, 'faceres.json'), 'utf8'));
      const bin = readFileSync(path.join(models, 'faceres.bin'));
      model = new GraphModel(
        tf.io.fromMemorySync({
          modelTopology: json.modelTopology,
          signature: json.signature,
          weightSpecs: json.weightsManifest.flatMap((group: { weights: unknown[] }) => group.weights),
          weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
        }),
      );
      model.load();
    });

    it('computes bit-identical descriptors with one Relu6 for each of its 27 clipped ReLUs', () => {
      const input = tf.mul(tf.randomUniform([1, 224, 224, 3], 0, 1, 'float32', 6), 255);
      const describe = () => {
        const outputs = model.execute(input) as tf.Tensor[];
        const descriptor = outputs.find((t) => t.shape[1] === 1024)!.dataSync().slice();
        tf.dispose(outputs);
        return descriptor;
      };
      // `artifacts` is private in tfjs' typings; relu6.ts reads it as GraphModel's own loadSync keeps it.
      const fusable = model as unknown as FusableModel;
      const topology = () => (fusable.artifacts.modelTopology as { node: GraphNode[] }).node;
      const before = describe();
      const nodes = topology().length;
      expect(fuseClippedReluInPlace(fusable)).toBe(true);
      const fused = topology();
      expect(fused.filter((n) => n.op === 'Relu6')).toHaveLength(27);
      expect(fused.length).toBe(nodes - 2 * 27);
      expect(describe()).toEqual(before);
      expect(fuseClippedReluInPlace(fusable)).toBe(false);
    });
  });
});
