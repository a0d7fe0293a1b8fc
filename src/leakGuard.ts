/**
 * The leak guard: keeps GitHub tokens out of saved notebooks.
 *
 * Installed at start-up (it must see every save, autosave included): it
 * wraps the contents manager's `save` for notebooks. Every save has tokens
 * removed from the saved ipywidgets state (a Password widget's value is never
 * meant to be saved); then, when the guard is on, a notebook still containing
 * a token in its sources, outputs, attachments or metadata is not saved until
 * the user chooses what to do (replace it with an environment read, clear the
 * outputs, save anyway, or cancel). Opening a notebook that already contains a
 * token warns and offers to revoke it. The dialogs and fixes load on first use.
 */
import type { INotebookModel, INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import type { Contents } from '@jupyterlab/services';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { IGitHubTokenSettings } from './settings';
import { allowTokenIn, isTokenAllowedIn } from './tokenConsent';
import { ILeak, scanNotebook, scrubWidgetState } from './tokenScan';

export interface ILeakGuardOptions {
  contents: Contents.IManager;
  notebooks: INotebookTracker;
  trans: TranslationBundle;
  settings(): IGitHubTokenSettings;
}

/** Leaks the user has not explicitly agreed to save. */
export function unapprovedLeaks(path: string, content: unknown): ILeak[] {
  return scanNotebook(content).filter(leak => !isTokenAllowedIn(path, leak.token));
}

/** The error that makes JupyterLab drop a save silently (as for a cancelled dialog). */
function cancelledSave(): Error {
  const error = new Error('Cancel');
  error.name = 'ModalCancelError';
  return error;
}

/** Install the guard. Returns a function that removes it. */
export function installLeakGuard(options: ILeakGuardOptions): () => void {
  const { contents, notebooks, trans, settings } = options;
  const save = contents.save;
  /** Saves waiting for the user's answer, by path: later saves share the outcome. */
  const guarding = new Map<string, Promise<Contents.IModel>>();
  const panelOf = (path: string): NotebookPanel | null => notebooks.find(panel => panel.context.path === path) ?? null;

  /** Save once the user dealt with `leaks` (found in `saveOptions.content`). */
  const guardedSave = async (path: string, saveOptions: Partial<Contents.IModel>, leaks: ILeak[]): Promise<Contents.IModel> => {
    const modelOf = (): INotebookModel | null => panelOf(path)?.context.model ?? null;
    let content = saveOptions.content as unknown;
    while (leaks.length) {
      const actions = await import(/* webpackChunkName: "leak-guard" */ './leakGuardActions');
      const model = modelOf();
      const choice = await actions.askBeforeSave(path, leaks, !!model, trans);
      if (choice === 'cancel') {
        throw cancelledSave();
      }
      if (choice === 'save') {
        // Asked for explicitly: not asked again for these tokens in this notebook.
        for (const leak of leaks) {
          allowTokenIn(path, leak.token);
        }
        break;
      }
      if (!model) {
        throw cancelledSave();
      }
      await actions.applyFix(choice, model, panelOf(path), settings(), trans);
      // What the notebook holds now (the fix may not have caught everything).
      content = scrubWidgetState(model.toJSON()).content;
      leaks = unapprovedLeaks(path, content);
    }
    return save.call(contents, path, { ...saveOptions, content });
  };

  contents.save = (path: string, saveOptions?: Partial<Contents.IModel>): Promise<Contents.IModel> => {
    if (!saveOptions || saveOptions.type !== 'notebook' || !saveOptions.content) {
      return save.call(contents, path, saveOptions);
    }
    const waiting = guarding.get(path);
    if (waiting) {
      return waiting;
    }
    const scrubbed = { ...saveOptions, content: scrubWidgetState(saveOptions.content).content as Contents.IModel['content'] };
    const leaks = settings().leakGuard ? unapprovedLeaks(path, scrubbed.content) : [];
    if (!leaks.length) {
      return save.call(contents, path, scrubbed);
    }
    const run = guardedSave(path, scrubbed, leaks).finally(() => guarding.delete(path));
    guarding.set(path, run);
    return run;
  };

  const onAdded = (_: unknown, panel: NotebookPanel) => {
    void panel.context.ready.then(async () => {
      const model = panel.context.model;
      if (!settings().leakGuard || panel.isDisposed) {
        return;
      }
      const leaks = unapprovedLeaks(panel.context.path, model.toJSON());
      if (leaks.length) {
        const actions = await import(/* webpackChunkName: "leak-guard" */ './leakGuardActions');
        await actions.warnOnOpen(panel, leaks, settings(), trans);
      }
    });
  };
  notebooks.widgetAdded.connect(onAdded);

  return () => {
    contents.save = save;
    notebooks.widgetAdded.disconnect(onAdded);
  };
}
