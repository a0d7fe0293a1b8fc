/**
 * The guided flow (model + React view), loaded as its own chunk the first
 * time the panel is shown or one of its commands runs, so that JupyterLab's
 * start-up only pays for the plugin, its commands and the sidebar icon.
 */
import type { ISessionContext } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { Widget } from '@lumino/widgets';
import { requestVerification } from './githubClient';
import { writeTokenToKernel } from './kernelEnvironment';
import { GitHubTokenView } from './panel/TokenPanel';
import { GitHubTokenModel } from './tokenModel';

export interface IFlowOptions {
  trans: TranslationBundle;
  /** The active notebook's session and path, if any. */
  activeNotebook(): { sessionContext: ISessionContext; path: string } | null;
  saveChoice(key: 'accessLevel' | 'tokenType', value: string): Promise<void>;
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
    saveChoice: options.saveChoice
  });
  return { model, view: new GitHubTokenView(model, trans) };
}
