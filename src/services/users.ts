import { Unauthorized } from '../http/errors.js';
import * as userStore from '../store/users.js';
import type { Deps, Principal } from './deps.js';

export async function me(deps: Pick<Deps, 'db'>, who: Principal) {
  const user = await userStore.findById(deps.db, who.userId);
  if (!user) throw new Unauthorized();
  return user;
}
