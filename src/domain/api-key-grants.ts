/**
 * What an API key may do (§1.6, §3.1). Gumnut does not publish which endpoint needs which verb;
 * Eucalypt reads the verbs as the spec suggests: reads need `read`; creating, changing and
 * uploading (album and stack membership too) need `write`; reversible removals (trash, restore,
 * deleting an album, face, person or stack) need `delete`; destroying data for good (hard asset
 * delete, emptying the trash, purging a library, deleting or reverting a version) needs
 * `delete_permanently`.
 */
export const ACTIONS = ['read', 'write', 'delete', 'delete_permanently'] as const;
export type Action = (typeof ACTIONS)[number];

const isAction = (value: string): value is Action => (ACTIONS as readonly string[]).includes(value);

/** The verb a request needs when its route names none: by HTTP method. */
export function defaultAction(method: string): Action {
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return 'read';
  return method === 'DELETE' ? 'delete' : 'write';
}

/**
 * A key's actions as §1.6 allows them: at least one, all known, and `read` whenever a broader
 * verb is present. Returns them in canonical order, or the reason they are refused.
 */
export function parseActions(values: readonly string[]): { actions: Action[] } | { error: string } {
  const unknown = values.filter((v) => !isAction(v));
  if (unknown.length > 0) return { error: `Unknown action ${unknown.map((v) => JSON.stringify(v)).join(', ')}; use ${ACTIONS.join(', ')}` };
  if (values.length === 0) return { error: 'At least one action is required' };
  if (!values.includes('read')) return { error: '"read" is required whenever a broader action is granted' };
  return { actions: ACTIONS.filter((a) => values.includes(a)) };
}
