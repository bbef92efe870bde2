import { describe, expect, it } from 'vitest';
import { cameraKey, detectBursts, planBurstStacks, type Shot, wallClockMs } from '../../src/domain/bursts.js';
import type { StackState } from '../../src/domain/stacks.js';

const T = Date.parse('2024-05-01T12:00:00Z');
const shot = (id: string, ms: number | null, extra: Partial<Shot> = {}): Shot => ({ id, make: 'Canon', model: 'EOS R6', time: ms === null ? null : T + ms, autoStackId: null, ...extra });

describe('detectBursts', () => {
  it.each([
    { name: 'sub-second shots of one camera chain into one burst', shots: [shot('a', 0), shot('b', 300), shot('c', 900), shot('d', 1700)], expected: [['a', 'b', 'c', 'd']] },
    { name: 'exactly 1 s apart still chains (whole-second clocks)', shots: [shot('a', 0), shot('b', 1000)], expected: [['a', 'b']] },
    { name: 'a gap over 1 s splits', shots: [shot('a', 0), shot('b', 400), shot('c', 1401), shot('d', 1900)], expected: [['a', 'b'], ['c', 'd']] },
    { name: 'minutes apart: no burst', shots: [shot('a', 0), shot('b', 120_000), shot('c', 300_000)], expected: [] },
    { name: 'a single shot is no burst', shots: [shot('a', 0)], expected: [] },
    {
      name: 'another camera at the same instant is not part of it',
      shots: [shot('a', 0), shot('b', 200), shot('x', 100, { make: 'Apple', model: 'iPhone 15' })],
      expected: [['a', 'b']],
    },
    {
      name: 'make and model compare case-insensitively, trimmed',
      shots: [shot('a', 0), shot('b', 500, { make: ' canon ', model: 'eos r6' })],
      expected: [['a', 'b']],
    },
    { name: 'no camera identity: no time grouping', shots: [shot('a', 0, { make: null, model: null }), shot('b', 100, { make: null, model: null })], expected: [] },
    { name: 'unknown capture times are never chained', shots: [shot('a', null), shot('b', null)], expected: [] },
    {
      name: "the camera's burst id groups shots whatever their times (and merges with a chain)",
      shots: [shot('a', 0, { autoStackId: 'B1' }), shot('b', 5000, { autoStackId: 'B1' }), shot('c', 5500), shot('d', 60_000, { autoStackId: 'B2' })],
      expected: [['a', 'b', 'c']],
    },
    {
      name: 'a chain longer than a minute starts a new burst',
      shots: Array.from({ length: 70 }, (_, i) => shot(`s${String(i).padStart(2, '0')}`, i * 1000)),
      expected: [Array.from({ length: 61 }, (_, i) => `s${String(i).padStart(2, '0')}`), Array.from({ length: 9 }, (_, i) => `s${String(i + 61).padStart(2, '0')}`)],
    },
    {
      name: 'groups come in capture order, each in capture order (ties by id)',
      shots: [shot('z', 10_000), shot('y', 10_000), shot('b', 300), shot('a', 0)],
      expected: [['a', 'b'], ['y', 'z']],
    },
  ])('$name', ({ shots, expected }) => {
    expect(detectBursts(shots)).toEqual(expected);
  });

  it('cameraKey and wallClockMs', () => {
    expect(cameraKey({ make: null, model: null })).toBeNull();
    expect(cameraKey({ make: 'X', model: null })).not.toBeNull();
    expect(wallClockMs('2024-05-01T12:00:00.250')).toBe(T + 250);
    expect(wallClockMs('garbage')).toBeNull();
  });
});

describe('planBurstStacks', () => {
  const auto = (id: string, members: string[], version = 1): StackState => ({ id, origin: 'auto_burst', primary_asset_id: null, version, members });
  const ids = () => {
    let n = 0;
    return () => `new${++n}`;
  };
  const stackOf = (stacks: StackState[]) => new Map(stacks.flatMap((s) => s.members.map((m) => [m, s.id] as [string, string])));

  it('a new burst gets a new auto stack with no cover; events: created, then its members', () => {
    const plan = planBurstStacks([['a', 'b']], [], new Map(), ids());
    expect(plan.creates).toEqual([{ id: 'new1', origin: 'auto_burst', primary_asset_id: null }]);
    expect(plan.moves).toEqual([
      { asset_id: 'a', from: null, to: 'new1' },
      { asset_id: 'b', from: null, to: 'new1' },
    ]);
    expect(plan.events.map((e) => `${e.event_type} ${e.entity_id}`)).toEqual(['stack_created new1', 'asset_updated a', 'asset_updated b']);
  });

  it('re-detecting the same bursts changes nothing', () => {
    const stacks = [auto('S1', ['a', 'b']), auto('S2', ['c', 'd', 'e'])];
    const plan = planBurstStacks([['a', 'b'], ['c', 'd', 'e']], stacks, stackOf(stacks), ids());
    expect(plan).toEqual({ creates: [], updates: [], deletes: [], moves: [], events: [] });
  });

  it('a burst that grew keeps its stack (version-guarded update)', () => {
    const stacks = [auto('S1', ['a', 'b'], 4)];
    const plan = planBurstStacks([['a', 'b', 'c']], stacks, stackOf(stacks), ids());
    expect(plan.creates).toEqual([]);
    expect(plan.updates).toEqual([{ id: 'S1', version: 4 }]);
    expect(plan.moves).toEqual([{ asset_id: 'c', from: null, to: 'S1' }]);
  });

  it('a burst that split: the larger part keeps the stack, the other gets a new one', () => {
    const stacks = [auto('S1', ['a', 'b', 'c', 'd', 'e'])];
    const plan = planBurstStacks([['a', 'b'], ['c', 'd', 'e']], stacks, stackOf(stacks), ids());
    expect(plan.creates.map((c) => c.id)).toEqual(['new1']);
    expect(plan.moves).toEqual([
      { asset_id: 'a', from: 'S1', to: 'new1' },
      { asset_id: 'b', from: 'S1', to: 'new1' },
    ]);
    expect(plan.updates).toEqual([{ id: 'S1', version: 1 }]);
  });

  it('two bursts merged: one stack stays, the other dissolves after its members moved', () => {
    const stacks = [auto('S1', ['a', 'b']), auto('S2', ['c', 'd', 'e'])];
    const plan = planBurstStacks([['a', 'b', 'c', 'd', 'e']], stacks, stackOf(stacks), ids());
    expect(plan.deletes).toEqual([{ id: 'S1', version: 1 }]);
    expect(plan.events.map((e) => `${e.event_type} ${e.entity_id}`)).toEqual(['asset_updated a', 'asset_updated b', 'stack_updated S2', 'stack_deleted S1']);
  });

  it('a burst that no longer exists dissolves; its shots leave', () => {
    const stacks = [auto('S1', ['a', 'b'])];
    const plan = planBurstStacks([], stacks, stackOf(stacks), ids());
    expect(plan.moves.map((m) => `${m.asset_id}>${m.to}`)).toEqual(['a>null', 'b>null']);
    expect(plan.deletes).toEqual([{ id: 'S1', version: 1 }]);
    expect(plan.events.at(-1)).toEqual({ entity_type: 'stack', event_type: 'stack_deleted', entity_id: 'S1' });
  });
});
