/**
 * The lazily loaded half of the panel plugin: it connects the guided flow
 * (flow.ts) to JupyterLab's notebooks, services and settings, and brings the
 * panel's styles. Loaded in the "flow" chunk the first time the panel is
 * shown or one of its commands runs.
 */
import '../../style/panel.css';
import type { JupyterFrontEnd } from '@jupyterlab/application';
import type { INotebookTracker } from '@jupyterlab/notebook';
import type { ISettingRegistry } from '@jupyterlab/settingregistry';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { Widget } from '@lumino/widgets';
import { MODEL_STATE_COMMANDS } from '../commands';
import { createFlow } from '../flow';
import { notebookHandle } from '../notebook/handle';
import type { GitHubTokenModel } from '../model/tokenModel';
import { readSettings } from '../settings';

export interface IPanelFlowOptions {
  app: JupyterFrontEnd;
  notebooks: INotebookTracker | null;
  /** The extension's settings once loaded (null: no registry, or it failed). */
  settings: Promise<ISettingRegistry.ISettings | null>;
  trans: TranslationBundle;
}

/** Create the flow's model and view, wired to JupyterLab. */
export function openPanelFlow(options: IPanelFlowOptions): { model: GitHubTokenModel; view: Widget } {
  const { app, notebooks, settings, trans } = options;
  const panelOfKernel = (id: string) =>
    notebooks?.find(panel => panel.sessionContext.session?.kernel?.id === id) ?? null;
  // Resolved once the user's settings are in the model (deliveries wait for them).
  let settingsApplied!: () => void;
  const settingsReady = new Promise<void>(resolve => {
    settingsApplied = resolve;
  });
  const { model, view } = createFlow({
    trans,
    activeNotebook: () => {
      const panel = notebooks?.currentWidget;
      return panel ? notebookHandle(panel) : null;
    },
    kernels: app.serviceManager.kernels,
    sessions: app.serviceManager.sessions,
    terminals: app.serviceManager.terminals,
    events: app.serviceManager.events,
    notebookOfKernel: id => panelOfKernel(id)?.context.path,
    kernelConnection: id => panelOfKernel(id)?.sessionContext.session?.kernel,
    saveChoice: async (key, value) => {
      await (await settings)?.set(key, value);
    },
    settingsReady
  });

  // The model starts with the defaults; the user's settings follow once loaded.
  void settings.then(loaded => {
    if (loaded) {
      const update = () => {
        model.settings = readSettings(loaded);
      };
      update();
      loaded.changed.connect(update);
    }
    settingsApplied();
  });

  // Refresh the commands' enabled state only when it can have changed.
  const snapshot = () => `${model.hasToken}|${model.hasDraft}|${!!model.server}|${model.usedForNewKernels}`;
  let held = snapshot();
  model.stateChanged.connect(() => {
    if (held !== snapshot()) {
      held = snapshot();
      for (const id of MODEL_STATE_COMMANDS) {
        app.commands.notifyCommandChanged(id);
      }
    }
  });
  return { model, view };
}
