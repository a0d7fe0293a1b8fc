import { ILayoutRestorer, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { CommandIDs, PALETTE_CATEGORY } from './commands';
import { keyIcon } from './icons';
import { installLeakGuard } from './leakGuard/guard';
import { GitHubTokenSidebar } from './panel/sidebar';
import { IGitHubTokenSettings, readSettings } from './settings';
import type { GitHubTokenModel } from './model/tokenModel';
import { IGitHubTokenFlow } from './tokens';

export { IGitHubTokenFlow } from './tokens';
export type { GitHubTokenModel } from './model/tokenModel';

const PLUGIN_ID = 'jupyterlab-github-token:plugin';

const plugin: JupyterFrontEndPlugin<IGitHubTokenFlow> = {
  id: PLUGIN_ID,
  description: 'Guided creation, verification and delivery of a GitHub personal access token.',
  autoStart: true,
  provides: IGitHubTokenFlow,
  optional: [ISettingRegistry, ITranslator, ICommandPalette, INotebookTracker, ILayoutRestorer],
  activate: (
    app: JupyterFrontEnd,
    settingRegistry: ISettingRegistry | null,
    translator: ITranslator | null,
    palette: ICommandPalette | null,
    notebooks: INotebookTracker | null,
    restorer: ILayoutRestorer | null
  ): IGitHubTokenFlow => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_github_token');
    let settings: ISettingRegistry.ISettings | null = null;
    let current: IGitHubTokenSettings = readSettings(null);
    let loaded: GitHubTokenModel | null = null;
    let loading: Promise<GitHubTokenModel> | null = null;

    /** Load the flow's chunk once; the panel shows it as soon as it is there. */
    const loadModel = (): Promise<GitHubTokenModel> => {
      if (!loading) {
        loading = import(/* webpackChunkName: "flow" */ './flow').then(({ createFlow }) => {
          const { model, view } = createFlow({
            trans,
            activeNotebook: () => {
              const panel = notebooks?.currentWidget;
              if (!panel) {
                return null;
              }
              const cells = () => panel.content.model?.cells;
              return {
                sessionContext: panel.sessionContext,
                path: panel.context.path,
                cells: () =>
                  Array.from(cells() ?? [], cell => ({ cellType: cell.type, source: cell.sharedModel.getSource() })),
                setCellSource: (index, source) => cells()?.get(index)?.sharedModel.setSource(source)
              };
            },
            kernels: app.serviceManager.kernels,
            sessions: app.serviceManager.sessions,
            terminals: app.serviceManager.terminals,
            notebookOfKernel: id =>
              notebooks?.find(panel => panel.sessionContext.session?.kernel?.id === id)?.context.path,
            kernelConnection: id =>
              notebooks?.find(panel => panel.sessionContext.session?.kernel?.id === id)?.sessionContext.session?.kernel,
            saveChoice: async (key, value) => {
              await settings?.set(key, value);
            }
          });
          model.settings = current;
          // Refresh the commands' enabled state only when it can have changed.
          const snapshot = () => `${model.hasToken}|${model.hasDraft}|${!!model.server}|${model.usedForNewKernels}`;
          let held = snapshot();
          model.changed.connect(() => {
            if (held !== snapshot()) {
              held = snapshot();
              for (const id of [
                CommandIDs.verify,
                CommandIDs.writeKernel,
                CommandIDs.writeNotebookField,
                CommandIDs.forget,
                CommandIDs.useForNewKernels
              ]) {
                app.commands.notifyCommandChanged(id);
              }
            }
          });
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

    if (settingRegistry) {
      settingRegistry
        .load(PLUGIN_ID)
        .then(s => {
          settings = s;
          const update = () => {
            current = readSettings(s);
            if (loaded) {
              loaded.settings = current;
            }
          };
          update();
          s.changed.connect(update);
        })
        .catch(reason => {
          console.error('jupyterlab-github-token: could not load settings.', reason);
        });
    }

    if (notebooks) {
      installLeakGuard({
        contents: app.serviceManager.contents,
        notebooks,
        trans,
        settings: () => current,
        setOpenText: (path, text) => {
          for (const widget of app.shell.widgets('main')) {
            // A document widget (structurally: no dependency on docregistry at start-up).
            const context = (
              widget as { context?: { path?: string; model?: { sharedModel?: { setSource?(text: string): void } } } }
            ).context;
            if (context?.path === path) {
              context.model?.sharedModel?.setSource?.(text);
            }
          }
        }
      });
    }

    const openPanel = async (step?: 'verify' | 'use'): Promise<GitHubTokenModel> => {
      app.shell.activateById(sidebar.id);
      const model = await loadModel();
      if (step) {
        model.step = step;
      }
      model.requestFocus();
      return model;
    };
    const hasToken = () => !!loaded?.hasToken;

    app.commands.addCommand(CommandIDs.configure, {
      label: trans.__('Configure GitHub token'),
      caption: trans.__('Create, verify and use a GitHub personal access token'),
      icon: keyIcon,
      execute: async () => {
        await openPanel();
      }
    });
    app.commands.addCommand(CommandIDs.verify, {
      label: trans.__('Verify GitHub token'),
      caption: trans.__('Ask the GitHub API who the token belongs to and what it allows'),
      isEnabled: hasToken,
      execute: async () => (await openPanel('verify')).verify()
    });
    app.commands.addCommand(CommandIDs.writeKernel, {
      label: trans.__('Write GitHub token to kernel environment'),
      caption: trans.__("Set the token's environment variables in the active notebook's kernel"),
      isEnabled: hasToken,
      execute: async () => (await openPanel('use')).writeToKernel()
    });
    app.commands.addCommand(CommandIDs.writeNotebookField, {
      label: trans.__('Write GitHub token to notebook field'),
      caption: trans.__("Fill the active notebook's GitHub-token field (an ipywidgets password field or a token cell)"),
      isEnabled: hasToken,
      execute: async () => (await openPanel('use')).writeToNotebookField()
    });
    app.commands.addCommand(CommandIDs.forget, {
      label: trans.__('Forget GitHub token'),
      caption: trans.__('Clear the token from this browser tab'),
      isEnabled: () => !!loaded?.hasDraft,
      execute: () => loaded?.forget()
    });

    app.commands.addCommand(CommandIDs.useForNewKernels, {
      label: trans.__('Use GitHub token for new kernels and terminals'),
      caption: trans.__('The Jupyter server keeps the token in memory and gives it to every new kernel and terminal'),
      isToggled: () => !!loaded?.usedForNewKernels,
      isEnabled: () => !!loaded?.server && (loaded.hasToken || loaded.usedForNewKernels),
      execute: async () => {
        const model = await openPanel('use');
        const error = await model.useForNewKernels(!model.usedForNewKernels);
        if (error) {
          throw new Error(error);
        }
      }
    });

    if (palette) {
      for (const command of [
        CommandIDs.configure,
        CommandIDs.verify,
        CommandIDs.writeKernel,
        CommandIDs.writeNotebookField,
        CommandIDs.useForNewKernels,
        CommandIDs.forget
      ]) {
        palette.addItem({ command, category: PALETTE_CATEGORY });
      }
    }
    return { model: loadModel };
  }
};

export default plugin;
