/**
 * A graph rewrite for tfjs models exported from Keras, where ReLU6 arrives as three nodes:
 * `Relu` → `Minimum(·, 6)` → `Maximum(·, 0)` (Keras' `clip_by_value`). On the wasm backend the
 * broadcasting Minimum and Maximum were about half of FaceRes' time, while `Relu6` does the same
 * clip to [0, 6] in one pass: the rewritten graph computes bit-identical outputs.
 */

/** A node of a tfjs graph model's `modelTopology.node` (only the fields this file reads). */
export interface GraphNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, unknown>;
}

/**
 * The nodes with every `Maximum(Minimum(Relu(x), 6), 0)` replaced by one `Relu6(x)` under the
 * Maximum's name (so its consumers are unchanged); `scalar` gives a constant node's value.
 * Chains whose intermediate results are used elsewhere are left alone.
 */
export function fuseClippedRelu(nodes: readonly GraphNode[], scalar: (name: string) => number | undefined): GraphNode[] {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const uses = new Map<string, number>();
  for (const n of nodes) for (const input of n.input ?? []) uses.set(input, (uses.get(input) ?? 0) + 1);
  const constant = (name: string | undefined) => (name !== undefined && byName.get(name)?.op === 'Const' ? scalar(name) : undefined);

  const removed = new Set<string>();
  const replaced = new Map<string, GraphNode>();
  for (const max of nodes) {
    if (max.op !== 'Maximum' || constant(max.input?.[1]) !== 0) continue;
    const min = byName.get(max.input![0]);
    if (min?.op !== 'Minimum' || constant(min.input?.[1]) !== 6 || uses.get(min.name) !== 1) continue;
    const relu = byName.get(min.input![0]);
    if (relu?.op !== 'Relu' || uses.get(relu.name) !== 1) continue;
    replaced.set(max.name, { name: max.name, op: 'Relu6', input: [relu.input![0]], attr: relu.attr });
    removed.add(min.name).add(relu.name);
  }
  return nodes.filter((n) => !removed.has(n.name)).map((n) => replaced.get(n.name) ?? n);
}

/* The slice of a tfjs GraphModel this file uses. */
interface WeightTensor {
  readonly size: number;
  dataSync(): ArrayLike<number>;
  dispose(): void;
}
export interface FusableModel {
  readonly weights: Record<string, WeightTensor[]>;
  readonly artifacts: { modelTopology?: object };
  loadSync(artifacts: object): boolean;
}

/**
 * Applies `fuseClippedRelu` to a loaded model in place (whoever holds the model keeps a working
 * object): the graph is rebuilt from the rewritten topology and the weights it was loaded with.
 * False when the model has no such chain.
 */
export function fuseClippedReluInPlace(model: FusableModel): boolean {
  const topology = model.artifacts.modelTopology as { node?: GraphNode[] } | undefined;
  if (!topology?.node) return false;
  const scalar = (name: string) => {
    const t = model.weights[name]?.[0];
    return t?.size === 1 ? t.dataSync()[0] : undefined;
  };
  const node = fuseClippedRelu(topology.node, scalar);
  if (node.length === topology.node.length) return false;
  const stale = Object.values(model.weights).flat();
  model.loadSync({ ...model.artifacts, modelTopology: { ...topology, node } });
  for (const t of stale) t.dispose();
  return true;
}
