/**
 * The translation bundle every message of this extension goes through.
 *
 * Pure modules take it as a required argument (there is no English fallback,
 * which would hide a message that was never translated); they depend on
 * JupyterLab's `TranslationBundle` type only, never on its code.
 */
import type { TranslationBundle } from '@jupyterlab/translation';

/** The translation domain of this extension (its Python package name). */
export const TRANSLATION_DOMAIN = 'jupyterlab_github_token';

/** The part of JupyterLab's `TranslationBundle` this extension uses. */
export type Trans = Pick<TranslationBundle, '__' | '_n'>;
