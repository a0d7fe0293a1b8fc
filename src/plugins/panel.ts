/**
 * The panel plugin: the sidebar entry, the commands and the palette items at
 * start-up; the guided flow itself (model, view, styles) loads the first time
 * the panel is shown or a command runs (see panelFlow.ts).
 */
import { ILayoutRestorer, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator } from '@jupyterlab/translation';
import { addCommands, PALETTE_CATEGORY, PALETTE_COMMANDS } from '../commands';
import { TRANSLATION_DOMAIN } from '../i18n';
import { keyIcon } from '../icons';
import type { GitHubTokenModel } from '../model/tokenModel';
import { GitHubTokenSidebar } from '../panel/sidebar';
import { IGitHubTokenFlow } from '../tokens';
import { PANEL_PLUGIN_ID } from './ids';

export const panelPlugin: JupyterFrontEndPlugin<IGitHubTokenFlow> = {
  id: PANEL_PLUGIN_ID,
  description: 'Guided creation, verification and delivery of a GitHub personal access token.',
  autoStart: true,
  provides: IGitHubTokenFlow,
  requires: [ITranslator],
  optional: [ISettingRegistry, ICommandPalette, INotebookTracker, ILayoutRestorer],
  activate: (
    app: JupyterFrontEnd,
    translator: ITranslator,
    settingRegistry: ISettingRegistry | null,
    palette: ICommandPalette | null,
    notebooks: INotebookTracker | null,
    restorer: ILayoutRestorer | null
  ): IGitHubTokenFlow => {
    const trans = translator.load(TRANSLATION_DOMAIN);
    const settings: Promise<ISettingRegistry.ISettings | null> = settingRegistry
      ? settingRegistry.load(PANEL_PLUGIN_ID).catch(reason => {
          console.error('jupyterlab-github-token: could not load settings.', reason);
          return null;
        })
      : Promise.resolve(null);
    let loaded: GitHubTokenModel | null = null;
    let loading: Promise<GitHubTokenModel> | null = null;

    /** Load the flow's chunk once; the panel shows it as soon as it is there. */
    const loadModel = (): Promise<GitHubTokenModel> => {
      if (!loading) {
        loading = import(/* webpackChunkName: "flow" */ './panelFlow').then(({ openPanelFlow }) => {
          const { model, view } = openPanelFlow({ app, notebooks, settings, trans });
          sidebar.setContent(view);
          loaded = model;
          return model;
        });
        loading.catch(reason => {
          loading = null;
          console.error('jupyterlab-github-token: could not load the panel.', reason);
          sidebar.showLoadError(() => void loadModel());
        });
      }
      return loading;
    };

    const sidebar = new GitHubTokenSidebar(trans, () => void loadModel());
    app.shell.add(sidebar, 'left', { rank: 850 });
    restorer?.add(sidebar, 'jupyterlab-github-token');

    addCommands(
      app.commands,
      {
        loaded: () => loaded,
        open: async step => {
          app.shell.activateById(sidebar.id);
          const model = await loadModel();
          if (step) {
            model.step = step;
          }
          model.requestFocus();
          return model;
        }
      },
      keyIcon,
      trans
    );
    if (palette) {
      for (const command of PALETTE_COMMANDS) {
        palette.addItem({ command, category: PALETTE_CATEGORY });
      }
    }
    return { model: loadModel };
  }
};
