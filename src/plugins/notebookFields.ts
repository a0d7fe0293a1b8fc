/**
 * The notebook fields plugin: offers to fill (or fills, as the
 * `fillNotebookFields` setting says) the token fields notebooks display with
 * the token the server holds. Tiny at start-up (every byte counts against the
 * start-up budget): its watcher loads, in the "auto-fill" chunk, when a
 * notebook opens, and starts once.
 */
import type { JupyterFrontEndPlugin } from '@jupyterlab/application';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator } from '@jupyterlab/translation';
import { IGitHubTokenFlow } from '../tokens';
import { NOTEBOOK_FIELDS_PLUGIN_ID } from './ids';

export const notebookFieldsPlugin: JupyterFrontEndPlugin<void> = {
  id: NOTEBOOK_FIELDS_PLUGIN_ID,
  description: 'Fills the GitHub token fields of notebooks.',
  autoStart: true,
  requires: [ITranslator, INotebookTracker],
  optional: [ISettingRegistry, IGitHubTokenFlow],
  activate: (
    _: unknown,
    translator: ITranslator,
    notebooks: INotebookTracker,
    registry: ISettingRegistry | null,
    flow: IGitHubTokenFlow | null
  ): void => {
    const start = () =>
      void import(/* webpackChunkName: "auto-fill" */ '../notebook/autoFillWatcher').then(watcher =>
        watcher.startAutoFill(translator, notebooks, registry, flow)
      );
    // Without the panel's flow there is nothing to fill with. Notebooks open
    // after start-up (the restorer's too), like the leak guard's.
    if (flow) {
      notebooks.widgetAdded.connect(start);
    }
  }
};
