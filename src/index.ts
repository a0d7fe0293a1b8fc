/**
 * The extension's plugins: the panel (`jupyterlab-github-token:plugin`) and
 * the leak guard (`jupyterlab-github-token:leak-guard`), which an
 * administrator can disable on its own.
 */
import type { JupyterFrontEndPlugin } from '@jupyterlab/application';
import { leakGuardPlugin } from './plugins/leakGuard';
import { panelPlugin } from './plugins/panel';

export { IGitHubTokenFlow } from './tokens';
export type { IGitHubTokenModel } from './tokens';

const plugins: JupyterFrontEndPlugin<unknown>[] = [panelPlugin, leakGuardPlugin];

export default plugins;
