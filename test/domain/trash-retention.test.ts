import { describe, expect, it } from 'vitest';
import { normalizeLibraryName } from '../../src/domain/libraries.js';
import { DEFAULT_TRASH_RETENTION_DAYS, isLibraryPurgeDue, retentionCutoff } from '../../src/domain/trash-retention.js';

describe('retentionCutoff', () => {
  it.each([
    ['2025-04-01T00:00:00.000Z', 90, '2025-01-01T00:00:00.000Z'],
    ['2025-04-01T12:30:00.000Z', 0, '2025-04-01T12:30:00.000Z'],
    ['2025-04-01T00:00:00.000Z', 0.5, '2025-03-31T12:00:00.000Z'],
  ])('now %s, %d days → %s', (now, days, cutoff) => {
    expect(retentionCutoff(new Date(now), days)).toBe(cutoff);
  });
  it('defaults to 90 days', () => {
    expect(DEFAULT_TRASH_RETENTION_DAYS).toBe(90);
  });
});

describe('isLibraryPurgeDue', () => {
  const cutoff = '2025-01-01T00:00:00.000Z';
  it.each([
    ['a live library, never', { trashed_at: null, purge_requested_at: null }, false],
    ['a live library even with a stale request', { trashed_at: null, purge_requested_at: '2024-01-01T00:00:00.000Z' }, false],
    ['trashed within the window', { trashed_at: '2025-01-01T00:00:00.000Z', purge_requested_at: null }, false],
    ['trashed before the cutoff', { trashed_at: '2024-12-31T23:59:59.999Z', purge_requested_at: null }, true],
    ['trashed recently but DELETEd', { trashed_at: '2025-06-01T00:00:00.000Z', purge_requested_at: '2025-06-02T00:00:00.000Z' }, true],
  ])('%s', (_name, library, due) => {
    expect(isLibraryPurgeDue(library, cutoff)).toBe(due);
  });
});

describe('normalizeLibraryName', () => {
  it.each([
    ['Travel', 'Travel'],
    ['  Travel \t', 'Travel'],
    ['', undefined],
    [' \n ', undefined],
  ])('%j → %j', (name, expected) => {
    expect(normalizeLibraryName(name)).toBe(expected);
  });
});
