/**
 * The guided flow (model + React view), loaded as its own chunk the first
 * time the panel is shown or one of its commands runs, so that JupyterLab's
 * start-up only pays for the plugin, its commands and the sidebar icon.
 */
import type { ISessionContext } from '@jupyterlab/apputils';
import type { Kernel, Session } from '@jupyterlab/services';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { Widget } from '@lumino/widgets';
import { requestVerification } from './githubClient';
import { buildUnsetEnvCode } from './kernelCode';
import { writeTokenToKernel } from './kernelEnvironment';
import { GitHubTokenView } from './panel/TokenPanel';
import { fetchServerStatus, forgetOnServer, holdOnServer, serverGitHubFetch } from './serverApi';
import { GitHubTokenModel } from './tokenModel';

export interface IFlowOptions {
  trans: TranslationBundle;
  /** The active notebook's session and path, if any. */
  activeNotebook(): { sessionContext: ISessionContext; path: string } | null;
  /** JupyterLab's kernel manager, to clear the token from running kernels. */
  kernels: Kernel.IManager;
  /** JupyterLab's session manager, to name kernels by their notebook. */
  sessions: Session.IManager;
  /** The path of the open notebook using this kernel, if any (what the user sees). */
  notebookOfKernel(kernelId: string): string | undefined;
  saveChoice(key: 'accessLevel' | 'tokenType', value: string): Promise<void>;
}

/**
 * Remove `names` from the environment of running kernels, silently. Kernels
 * that no longer run count as cleared.
 */
async function clearKernels(kernels: Kernel.IManager, ids: readonly string[], names: readonly string[]): Promise<string[]> {
  await kernels.refreshRunning();
  const running = new Map(Array.from(kernels.running(), model => [model.id, model]));
  const cleared: string[] = [];
  for (const id of ids) {
    const model = running.get(id);
    if (!model) {
      cleared.push(id);
      continue;
    }
    const connection = kernels.connectTo({ model, handleComms: false });
    try {
      const info = await connection.info;
      const code = buildUnsetEnvCode(info.language_info?.name ?? '', names);
      const reply = await connection.requestExecute({
        code,
        silent: true,
        store_history: false,
        allow_stdin: false,
        stop_on_error: false
      }).done;
      if (reply.content.status === 'ok') {
        cleared.push(id);
      }
    } catch {
      // Busy, dead or not Python: left in the list for the user to restart.
    } finally {
      connection.dispose();
    }
  }
  return cleared;
}

/** Create the model and the view that renders it. */
export function createFlow(options: IFlowOptions): { model: GitHubTokenModel; view: Widget } {
  const { trans } = options;
  const model = new GitHubTokenModel({
    trans,
    requestVerification,
    writeToKernel: (token, names) => {
      const notebook = options.activeNotebook();
      return writeTokenToKernel(notebook?.sessionContext, notebook?.path, token, names, trans);
    },
    saveChoice: options.saveChoice,
    server: {
      status: fetchServerStatus,
      hold: holdOnServer,
      forget: forgetOnServer,
      fetchFor: serverGitHubFetch
    },
    clearKernels: (ids, names) => clearKernels(options.kernels, ids, names),
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
