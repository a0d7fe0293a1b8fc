/**
 * The extension's plugins: the panel (`jupyterlab-github-token:plugin`),
 * the leak guard (`jupyterlab-github-token:leak-guard`) and the notebook
 * fields' auto-fill (`jupyterlab-github-token:notebook-fields`); an
 * administrator can disable the last two on their own.
 */
import type { JupyterFrontEndPlugin } from '@jupyterlab/application';
import { leakGuardPlugin } from './plugins/leakGuard';
import { notebookFieldsPlugin } from './plugins/notebookFields';
import { panelPlugin } from './plugins/panel';

export { IGitHubTokenFlow } from './tokens';
export type { IGitHubTokenModel } from './tokens';

const plugins: JupyterFrontEndPlugin<unknown>[] = [panelPlugin, leakGuardPlugin, notebookFieldsPlugin];

export default plugins;
