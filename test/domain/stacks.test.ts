import { describe, expect, it } from 'vitest';
import {
  isNoop,
  planAdd,
  planCreate,
  planDetachDeleted,
  planDissolve,
  planRemove,
  planSetCover,
  type StackPlan,
  type StackSnapshot,
  type StackState,
} from '../../src/domain/stacks.js';

/** A library: stacks by id (members in order, optional pin and origin) plus loose assets. */
function world(stacks: Record<string, { members: string[]; primary?: string; origin?: StackState['origin']; version?: number }>, loose: string[] = []): StackSnapshot {
  const stackOf = new Map<string, string | null>(loose.map((a) => [a, null]));
  const states = new Map<string, StackState>();
  for (const [id, s] of Object.entries(stacks)) {
    for (const m of s.members) stackOf.set(m, id);
    states.set(id, { id, members: s.members, primary_asset_id: s.primary ?? null, origin: s.origin ?? 'auto_burst', version: s.version ?? 7 });
  }
  return { stackOf, stacks: states };
}

/** The plan in one line per part, for readable tables. */
function summary(plan: StackPlan) {
  return {
    creates: plan.creates.map((c) => `${c.id}:${c.origin}:${c.primary_asset_id ?? '-'}`),
    updates: plan.updates.map((u) => `${u.id}@${u.version}${u.origin ? ` origin=${u.origin}` : ''}${u.primary_asset_id !== undefined ? ` primary=${u.primary_asset_id ?? 'null'}` : ''}`),
    deletes: plan.deletes.map((d) => `${d.id}@${d.version}`),
    moves: plan.moves.map((m) => `${m.asset_id}:${m.from ?? '-'}>${m.to ?? '-'}`),
    events: plan.events.map((e) => (e.entity_type === 'asset' ? `asset_updated ${e.entity_id} ${e.stack_id ?? 'null'}` : `${e.event_type} ${e.entity_id}`)),
  };
}

describe('planCreate', () => {
  it.each([
    {
      name: 'loose assets make a user stack, cover as given',
      snap: world({}, ['a', 'b']),
      input: { assetIds: ['a', 'b'], primaryAssetId: 'b' },
      expected: { creates: ['N:user:b'], updates: [], deletes: [], moves: ['a:->N', 'b:->N'], events: ['stack_created N', 'asset_updated a N', 'asset_updated b N'] },
    },
    {
      name: 'an asset taken from a stack that keeps two members leaves it; that stack becomes user',
      snap: world({ S: { members: ['s1', 's2', 's3'] } }, ['a']),
      input: { assetIds: ['a', 's3'], primaryAssetId: null },
      expected: {
        creates: ['N:user:-'],
        updates: ['S@7 origin=user'],
        deletes: [],
        moves: ['a:->N', 's3:S>N'],
        events: ['stack_created N', 'asset_updated a N', 'asset_updated s3 N', 'stack_updated S'],
      },
    },
    {
      name: 'a stack left with one member dissolves: its member leaves before stack_deleted',
      snap: world({ S: { members: ['s1', 's2'] } }, ['a']),
      input: { assetIds: ['a', 's2'], primaryAssetId: null },
      expected: {
        creates: ['N:user:-'],
        updates: [],
        deletes: ['S@7'],
        moves: ['a:->N', 's2:S>N', 's1:S>-'],
        events: ['stack_created N', 'asset_updated a N', 'asset_updated s2 N', 'asset_updated s1 null', 'stack_deleted S'],
      },
    },
    {
      name: "another stack's pinned cover brings that whole stack in (folded), which then dissolves",
      snap: world({ S: { members: ['s1', 's2', 's3'], primary: 's2', origin: 'user' } }, ['a']),
      input: { assetIds: ['a', 's2'], primaryAssetId: 'a' },
      expected: {
        creates: ['N:user:a'],
        updates: [],
        deletes: ['S@7'],
        moves: ['a:->N', 's1:S>N', 's2:S>N', 's3:S>N'],
        events: ['stack_created N', 'asset_updated a N', 'asset_updated s1 N', 'asset_updated s2 N', 'asset_updated s3 N', 'stack_deleted S'],
      },
    },
    {
      name: 'a trashed member still counts: a stack keeping a live and a trashed member survives',
      snap: world({ S: { members: ['live', 'trashed', 's3'] } }, ['a']),
      input: { assetIds: ['a', 's3'], primaryAssetId: null },
      expected: {
        creates: ['N:user:-'],
        updates: ['S@7 origin=user'],
        deletes: [],
        moves: ['a:->N', 's3:S>N'],
        events: ['stack_created N', 'asset_updated a N', 'asset_updated s3 N', 'stack_updated S'],
      },
    },
  ])('$name', ({ snap, input, expected }) => {
    expect(summary(planCreate(snap, { id: 'N', ...input }))).toEqual(expected);
  });
});

describe('planAdd', () => {
  it.each([
    {
      name: 'members already in the stack are skipped; a real change makes it user',
      snap: world({ T: { members: ['t1', 't2'] } }, ['a']),
      ids: ['t1', 'a', 'a'],
      expected: { creates: [], updates: ['T@7 origin=user'], deletes: [], moves: ['a:->T'], events: ['asset_updated a T', 'stack_updated T'] },
    },
    {
      name: 'adding only members is a no-op and leaves origin alone',
      snap: world({ T: { members: ['t1', 't2'] } }),
      ids: ['t2'],
      expected: { creates: [], updates: [], deletes: [], moves: [], events: [] },
    },
    {
      name: 'a pinned cover of another stack folds that stack in',
      snap: world({ T: { members: ['t1', 't2'] }, S: { members: ['s1', 's2'], primary: 's1', origin: 'user', version: 3 } }),
      ids: ['s1'],
      expected: {
        creates: [],
        updates: ['T@7 origin=user'],
        deletes: ['S@3'],
        moves: ['s1:S>T', 's2:S>T'],
        events: ['asset_updated s1 T', 'asset_updated s2 T', 'stack_updated T', 'stack_deleted S'],
      },
    },
    {
      name: 'taking one member from a pair dissolves the pair',
      snap: world({ T: { members: ['t1', 't2'] }, S: { members: ['s1', 's2'] } }),
      ids: ['s2'],
      expected: {
        creates: [],
        updates: ['T@7 origin=user'],
        deletes: ['S@7'],
        moves: ['s2:S>T', 's1:S>-'],
        events: ['asset_updated s2 T', 'stack_updated T', 'asset_updated s1 null', 'stack_deleted S'],
      },
    },
  ])('$name', ({ snap, ids, expected }) => {
    expect(summary(planAdd(snap, 'T', ids))).toEqual(expected);
  });
});

describe('planRemove', () => {
  it.each([
    {
      name: 'non-members are ignored: nothing to do',
      snap: world({ T: { members: ['t1', 't2', 't3'] } }, ['x']),
      ids: ['x', 'nope'],
      expected: { creates: [], updates: [], deletes: [], moves: [], events: [] },
    },
    {
      name: 'a surviving stack becomes user and keeps its pin',
      snap: world({ T: { members: ['t1', 't2', 't3'], primary: 't1' } }),
      ids: ['t3'],
      expected: { creates: [], updates: ['T@7 origin=user'], deletes: [], moves: ['t3:T>-'], events: ['asset_updated t3 null', 'stack_updated T'] },
    },
    {
      name: 'removing the pinned cover clears the pin (no re-pick)',
      snap: world({ T: { members: ['t1', 't2', 't3'], primary: 't2', origin: 'user' } }),
      ids: ['t2'],
      expected: { creates: [], updates: ['T@7 origin=user primary=null'], deletes: [], moves: ['t2:T>-'], events: ['asset_updated t2 null', 'stack_updated T'] },
    },
    {
      name: 'fewer than two left: the rest leave too, then the stack goes',
      snap: world({ T: { members: ['t1', 't2', 't3'] } }),
      ids: ['t1', 't3'],
      expected: {
        creates: [],
        updates: [],
        deletes: ['T@7'],
        moves: ['t1:T>-', 't3:T>-', 't2:T>-'],
        events: ['asset_updated t1 null', 'asset_updated t3 null', 'asset_updated t2 null', 'stack_deleted T'],
      },
    },
  ])('$name', ({ snap, ids, expected }) => {
    expect(summary(planRemove(snap, 'T', ids))).toEqual(expected);
  });
});

describe('planSetCover, planDissolve, planDetachDeleted', () => {
  it('pinning freezes an auto stack as user; pinning the same cover again is a no-op', () => {
    expect(summary(planSetCover(world({ T: { members: ['a', 'b'] } }), 'T', 'b')).updates).toEqual(['T@7 origin=user primary=b']);
    expect(isNoop(planSetCover(world({ T: { members: ['a', 'b'], primary: 'b', origin: 'user' } }), 'T', 'b'))).toBe(true);
    expect(summary(planSetCover(world({ T: { members: ['a', 'b'], primary: 'a', origin: 'user' } }), 'T', 'b')).events).toEqual(['stack_updated T']);
  });

  it('dissolving sends every member its asset_updated before stack_deleted', () => {
    expect(summary(planDissolve(world({ T: { members: ['a', 'b', 'c'] } }), 'T'))).toEqual({
      creates: [],
      updates: [],
      deletes: ['T@7'],
      moves: ['a:T>-', 'b:T>-', 'c:T>-'],
      events: ['asset_updated a null', 'asset_updated b null', 'asset_updated c null', 'stack_deleted T'],
    });
  });

  it.each([
    {
      name: 'a deleted member of a big stack: stack_updated, origin kept',
      snap: world({ T: { members: ['a', 'b', 'c'] } }),
      deleted: ['c'],
      expected: { creates: [], updates: ['T@7'], deletes: [], moves: [], events: ['stack_updated T'] },
    },
    {
      name: 'a deleted pinned cover unpins',
      snap: world({ T: { members: ['a', 'b', 'c'], primary: 'a', origin: 'user' } }),
      deleted: ['a'],
      expected: { creates: [], updates: ['T@7 primary=null'], deletes: [], moves: [], events: ['stack_updated T'] },
    },
    {
      name: 'a pair losing one dissolves; the deleted asset gets no asset_updated',
      snap: world({ T: { members: ['a', 'b'] } }),
      deleted: ['a'],
      expected: { creates: [], updates: [], deletes: ['T@7'], moves: ['b:T>-'], events: ['asset_updated b null', 'stack_deleted T'] },
    },
  ])('$name', ({ snap, deleted, expected }) => {
    expect(summary(planDetachDeleted(snap, deleted))).toEqual(expected);
  });
});
