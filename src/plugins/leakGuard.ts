/**
 * The leak guard plugin, on its own so that an administrator can disable it
 * alone (`jupyter labextension disable jupyterlab-github-token:leak-guard`).
 * It is installed at start-up, as it must see every save; its scanner and
 * dialogs load when a notebook is first opened or a file saved (see
 * leakGuard/guard.ts). It reads the panel plugin's settings: `leakGuard:
 * false` turns the questions off. With the panel plugin's flow (optional),
 * a kernel that "Replace with environment read" gave the token is recorded
 * as a holder; without it the guard works alone and records nothing.
 */
import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator } from '@jupyterlab/translation';
import { TRANSLATION_DOMAIN } from '../i18n';
import { installLeakGuard } from '../leakGuard/guard';
import type { IKernelWriteResult } from '../kernel/environment';
import { IGitHubTokenFlow } from '../tokens';
import { LEAK_GUARD_PLUGIN_ID, PANEL_PLUGIN_ID } from './ids';
import type { IGitHubTokenSettings } from '../settings';

/** The open editor of a text document, seen structurally (docregistry is not loaded at start-up). */
interface ITextDocumentWidget {
  context?: { path?: string; model?: { sharedModel?: { setSource?(text: string): void } } };
}

export const leakGuardPlugin: JupyterFrontEndPlugin<void> = {
  id: LEAK_GUARD_PLUGIN_ID,
  description: 'Keeps GitHub tokens out of saved notebooks and files: asks before one is written to disk.',
  autoStart: true,
  requires: [ITranslator, INotebookTracker],
  optional: [ISettingRegistry, IGitHubTokenFlow],
  activate: (
    app: JupyterFrontEnd,
    translator: ITranslator,
    notebooks: INotebookTracker,
    settingRegistry: ISettingRegistry | null,
    flow: IGitHubTokenFlow | null
  ): void => {
    let settings: ISettingRegistry.ISettings | null = null;
    settingRegistry
      ?.load(PANEL_PLUGIN_ID)
      .then(loaded => {
        settings = loaded;
      })
      .catch(reason => {
        console.error('jupyterlab-github-token: the leak guard could not load its settings.', reason);
      });

    // The model loads only when a kernel got a token, never at start-up.
    const recordKernel = flow
      ? (result: IKernelWriteResult) => {
          flow
            .model()
            .then(model => model.recordDelivery(result))
            .catch(reason => {
              console.error('jupyterlab-github-token: the leak guard could not record the kernel.', reason);
            });
        }
      : undefined;

    installLeakGuard({
      contents: app.serviceManager.contents,
      notebooks,
      trans: translator.load(TRANSLATION_DOMAIN),
      // The composite follows every change; until loaded, the defaults apply.
      settings: () => (settings?.composite ?? {}) as Partial<IGitHubTokenSettings>,
      setOpenText: (path, text) => {
        for (const widget of app.shell.widgets('main')) {
          const context = (widget as ITextDocumentWidget).context;
          if (context?.path === path) {
            context.model?.sharedModel?.setSource?.(text);
          }
        }
      },
      recordKernel
    });
  }
};
