import { sameApiBaseUrl } from '../server/api';
import type { IHeldTokenStatus, IServerStatus } from '../server/api';

/**
 * The entry new kernels and terminals get when it is held for another API
 * base URL than `apiBaseUrl` (the settings'), else null. The same URL rule as
 * `heldFor` (sameApiBaseUrl), so that an entry is never both "held for the
 * settings" and "for another host".
 */
export function otherForNewKernels(
  status: IServerStatus | null | undefined,
  apiBaseUrl: string
): IHeldTokenStatus | null {
  const entry = status?.tokens.find(t => t.forNewKernels);
  return entry && !sameApiBaseUrl(entry.apiBaseUrl, apiBaseUrl) ? entry : null;
}
