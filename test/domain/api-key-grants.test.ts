import { describe, expect, it } from 'vitest';
import { defaultAction, parseActions } from '../../src/domain/api-key-grants.js';

describe('API-key grants', () => {
  it('reads by default for safe methods, writes for the others, deletes for DELETE', () => {
    expect(['GET', 'HEAD', 'OPTIONS'].map(defaultAction)).toEqual(['read', 'read', 'read']);
    expect(['POST', 'PATCH', 'PUT'].map(defaultAction)).toEqual(['write', 'write', 'write']);
    expect(defaultAction('DELETE')).toBe('delete');
  });

  it('accepts read alone or with broader verbs, in canonical order', () => {
    expect(parseActions(['read'])).toEqual({ actions: ['read'] });
    expect(parseActions(['delete_permanently', 'read', 'write', 'read'])).toEqual({ actions: ['read', 'write', 'delete_permanently'] });
  });

  it('refuses an empty set, unknown verbs and broader verbs without read', () => {
    expect(parseActions([])).toEqual({ error: 'At least one action is required' });
    expect(parseActions(['read', 'admin'])).toEqual({ error: 'Unknown action "admin"; use read, write, delete, delete_permanently' });
    expect(parseActions(['write', 'delete'])).toEqual({ error: '"read" is required whenever a broader action is granted' });
  });
});
