/**
 * The guided flow (model + React view), loaded as its own chunk the first
 * time the panel is shown or one of its commands runs, so that JupyterLab's
 * start-up only pays for the plugin, its commands and the sidebar icon.
 */
import type { Event, Kernel, Session, Terminal } from '@jupyterlab/services';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { Widget } from '@lumino/widgets';
import { requestVerification } from './github/client';
import { clearTokenFromKernels, restartKernels, writeTokenToKernel } from './kernel/environment';
import { clearTokenConsents } from './token/consent';
import { fillNotebookField, findNotebookFields, INotebookHandle } from './notebook/fieldWriter';
import { GitHubTokenView } from './panel/TokenPanel';
import {
  fetchServerStatus,
  forgetOnServer,
  holdOnServer,
  recordKernelOnServer,
  revealFromServer,
  serverGitHubTransport,
  subscribeToTokenEvents,
  updateOnServer
} from './server/api';
import { GitHubTokenModel } from './model/tokenModel';
import type { SavedSettingKey } from './settings';

export interface IFlowOptions {
  trans: TranslationBundle;
  /** The active notebook (its session, path and cells), if any. */
  activeNotebook(): INotebookHandle | null;
  /** JupyterLab's kernel manager, to clear the token from running kernels. */
  kernels: Kernel.IManager;
  /** JupyterLab's session manager, to name kernels by their notebook. */
  sessions: Session.IManager;
  /** JupyterLab's terminal manager, to close terminals started with the token. */
  terminals: Terminal.IManager;
  /** JupyterLab's event manager: the server's token events (another tab's Forget) refresh the model. */
  events?: Event.IManager;
  /** The connection of the open notebook using this kernel, if any (a restart goes through it). */
  kernelConnection(kernelId: string): Kernel.IKernelConnection | null | undefined;
  /** The path of the open notebook using this kernel, if any (what the user sees). */
  notebookOfKernel(kernelId: string): string | undefined;
  saveChoice(key: SavedSettingKey, value: string | boolean): Promise<void>;
  /** Resolves once the user's settings are applied to the model (see ITokenModelDeps). */
  settingsReady?: Promise<unknown>;
}

/** Create the model and the view that renders it. */
export function createFlow(options: IFlowOptions): { model: GitHubTokenModel; view: Widget } {
  const { trans, events } = options;
  const model = new GitHubTokenModel({
    trans,
    requestVerification,
    writeToKernel: (token, names) => {
      const notebook = options.activeNotebook();
      return writeTokenToKernel(notebook?.sessionContext, notebook?.path, token, names, trans);
    },
    findFields: fieldName => findNotebookFields(options.activeNotebook(), fieldName, trans),
    fillField: (candidate, token, mode, names, fieldName) =>
      fillNotebookField(options.activeNotebook(), candidate, token, mode, names, fieldName, trans),
    findFieldsIn: (notebook, fieldName) => findNotebookFields(notebook, fieldName, trans),
    fillFieldIn: (notebook, candidate, token, mode, names, fieldName) =>
      fillNotebookField(notebook, candidate, token, mode, names, fieldName, trans),
    forgotten: clearTokenConsents,
    saveChoice: options.saveChoice,
    settingsReady: options.settingsReady,
    server: {
      status: fetchServerStatus,
      hold: holdOnServer,
      update: updateOnServer,
      forget: forgetOnServer,
      reveal: revealFromServer,
      recordKernel: recordKernelOnServer,
      subscribe: events ? onEvent => subscribeToTokenEvents(events, onEvent) : undefined,
      github: serverGitHubTransport
    },
    clearKernels: (ids, names) => clearTokenFromKernels(options.kernels, ids, names, trans),
    restartKernels: ids => restartKernels(options.kernels, ids, options.kernelConnection),
    terminals: options.terminals,
    describeKernel: id => {
      const open = options.notebookOfKernel(id);
      if (open) {
        return open;
      }
      const session = Array.from(options.sessions.running()).find(model => model.kernel?.id === id);
      return session?.path ?? '';
    },
    refreshKernelNames: () => options.sessions.refreshRunning()
  });
  void model.refreshServer();
  return { model, view: new GitHubTokenView(model, trans) };
}
