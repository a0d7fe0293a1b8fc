import type { Trans } from '../i18n';
import type { IHeldTokenCheck } from '../server/api';

/** What the server's re-check of a held token found, and the one thing to do next. */
export interface IHeldCheckProblem {
  title: string;
  next: string;
  /** The button that goes with the next step: a new token, or another check. */
  action: 'create' | 'check-again';
}

/** HTTP statuses with which GitHub refuses a request for its rate limit. */
const RATE_LIMITED = [403, 429];

/**
 * The panel's own (translated) words for the server's re-check: the server's
 * `message` is English, for API users and logs, so only `status` and the HTTP
 * status GitHub answered with are read. Null when there is nothing to report.
 */
export function heldCheckProblem(check: IHeldTokenCheck, trans: Trans): IHeldCheckProblem | null {
  switch (check.status) {
    case 'revoked':
      return {
        title: trans.__('GitHub no longer accepts this token: it was revoked or deleted.'),
        next: trans.__('Create a new token, or Forget this one.'),
        action: 'create'
      };
    case 'expired':
      return {
        title: trans.__('This token has expired.'),
        next: trans.__('Create a new token, or Forget this one.'),
        action: 'create'
      };
    case 'unreachable': {
      // Absent (or null from an older server) when GitHub did not answer at all.
      const code = typeof check.httpStatus === 'number' ? check.httpStatus : null;
      const title =
        code === null
          ? trans.__('The Jupyter server could not reach GitHub to check this token again.')
          : RATE_LIMITED.includes(code)
            ? trans.__(
                'GitHub answered HTTP %1 when the Jupyter server checked this token again (possibly its rate limit), so the token could not be checked.',
                code
              )
            : trans.__(
                'GitHub answered HTTP %1 when the Jupyter server checked this token again, so the token could not be checked.',
                code
              );
      return {
        title,
        next: trans.__('The token is still held and may still work: check it again in a moment.'),
        action: 'check-again'
      };
    }
    default:
      return null;
  }
}
