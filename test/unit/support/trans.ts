/**
 * The bundle unit tests pass where the extension passes the one from
 * `ITranslator`: JupyterLab's null translator (English, with `%1`
 * substitution), so tests exercise JupyterLab's own formatting.
 */
import { nullTranslator } from '@jupyterlab/translation';
import { TRANSLATION_DOMAIN, Trans } from '../../../src/i18n';

export const trans: Trans = nullTranslator.load(TRANSLATION_DOMAIN);
