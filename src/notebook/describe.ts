/**
 * The label of a token field candidate, as the panel and the notifications
 * show it. Its own module: the self-filling fields' watcher, loaded on the
 * first notebook, needs it without the field writer's kernel code.
 */
import type { Trans } from '../i18n';
import type { FieldCandidate } from './fieldWriter';

/** A short label for a candidate, as the panel lists it. */
export function describeCandidate(candidate: FieldCandidate, trans: Trans): string {
  if (candidate.kind === 'widget') {
    const names = candidate.names.length ? ` (${candidate.names.join(', ')})` : '';
    const description = candidate.description.replace(/<[^>]*>/g, '').trim();
    return trans.__('%1 field "%2"%3', candidate.widgetClass, description || trans.__('without description'), names);
  }
  return trans.__('Cell %1, line %2: %3', candidate.cellIndex + 1, candidate.line + 1, candidate.preview);
}
