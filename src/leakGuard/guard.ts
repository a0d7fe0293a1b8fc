/**
 * The leak guard: keeps GitHub tokens out of saved notebooks and files.
 *
 * Installed at start-up (it must see every save, autosave included): it
 * wraps the contents manager's `save`. What a save may write is decided in
 * checks.ts, which holds the token scanner and is loaded when a notebook is
 * first opened (so that the first Ctrl+S does not wait for it) or, at the
 * latest, by the first guarded save, which waits for it: nothing is written
 * before it was scanned. If that chunk cannot be loaded the save fails, and
 * the next save tries again.
 *
 * Every notebook save has tokens removed from the saved ipywidgets state (a
 * Password widget's value is never meant to be saved); then, when the guard
 * is on, a notebook still containing a token in its sources, outputs,
 * attachments or metadata is not saved until the user chooses what to do.
 * Files saved as text or base64 (a notebook opened in the text editor, a
 * `.py` file, uploads) are scanned too. Opening a notebook that already
 * contains a token warns and offers to revoke it.
 */
import type { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import type { DocumentRegistry } from '@jupyterlab/docregistry';
import type { Contents } from '@jupyterlab/services';
import type { Trans } from '../i18n';
import type { IKernelWriteResult } from '../kernel/environment';
import type { IGitHubTokenSettings } from '../settings';
import type { ILeakChecks } from './checks';

export interface ILeakGuardOptions {
  contents: Contents.IManager;
  notebooks: INotebookTracker;
  trans: Trans;
  /**
   * The settings as far as known (the registry's composite once loaded):
   * the checks complete them with the defaults, which stay out of start-up.
   */
  settings(): Partial<IGitHubTokenSettings>;
  /**
   * Put `text` into the open editor of the text file at `path`, if any: after
   * "Remove token" the editor shows what was saved instead of keeping the
   * token in its buffer (to be saved, and asked about, again).
   */
  setOpenText?(path: string, text: string): void;
  /**
   * Record a kernel that "Replace with environment read" gave the token, in
   * the one record of holders (so Forget offers to clear it); none when the
   * panel plugin is disabled.
   */
  recordKernel?: (result: IKernelWriteResult) => void;
}

/** Whether a save writes a file as text or base64, which the guard scans. */
function isFileWrite(options: Partial<Contents.IModel>): boolean {
  // (A file save without a format is refused by the server: nothing to guard.)
  return (
    options.type === 'file' &&
    (options.format === 'text' || options.format === 'base64') &&
    typeof options.content === 'string'
  );
}

/** Install the guard. Returns a function that removes it. */
export function installLeakGuard(options: ILeakGuardOptions): () => void {
  const { contents, notebooks } = options;
  const save = contents.save;
  /** Notebooks being saved now: Save As saves to a path no panel has yet. */
  const saving = new Set<NotebookPanel>();

  /** Notebooks opened while the checks could not be loaded: they get their open check with the next load. */
  const notOpened = new Set<NotebookPanel>();

  let checks: Promise<ILeakChecks> | null = null;
  const loadChecks = (): Promise<ILeakChecks> => {
    if (!checks) {
      checks = import(/* webpackChunkName: "leak-guard" */ './checks').then(({ createLeakChecks }) => {
        const loaded = createLeakChecks({
          ...options,
          save: (path, saveOptions) => save.call(contents, path, saveOptions),
          saving
        });
        // Without it, a token already on disk would be neither reported nor marked in its checkpoint.
        for (const panel of notOpened) {
          loaded.opened(panel);
        }
        notOpened.clear();
        return loaded;
      });
      checks.catch(() => {
        // Not loaded (e.g. the server went away): the next save tries again.
        checks = null;
      });
    }
    return checks;
  };

  contents.save = (path: string, saveOptions?: Partial<Contents.IModel>): Promise<Contents.IModel> => {
    if (!saveOptions || !saveOptions.content) {
      return save.call(contents, path, saveOptions);
    }
    if (saveOptions.type === 'notebook') {
      return loadChecks().then(loaded => loaded.saveNotebook(path, saveOptions));
    }
    if (isFileWrite(saveOptions)) {
      return loadChecks().then(loaded => loaded.saveFile(path, saveOptions));
    }
    return save.call(contents, path, saveOptions);
  };

  const onAdded = (_: unknown, panel: NotebookPanel) => {
    const onSaveState = (_: unknown, state: DocumentRegistry.SaveState) => {
      if (state === 'started') {
        saving.add(panel);
      } else {
        saving.delete(panel);
      }
    };
    panel.context.saveState.connect(onSaveState);
    panel.disposed.connect(() => {
      saving.delete(panel);
      notOpened.delete(panel);
      panel.context.saveState.disconnect(onSaveState);
    });
    loadChecks().then(
      loaded => loaded.opened(panel),
      reason => {
        notOpened.add(panel);
        console.error('jupyterlab-github-token: could not load the leak guard.', reason);
      }
    );
  };
  notebooks.widgetAdded.connect(onAdded);

  return () => {
    contents.save = save;
    notebooks.widgetAdded.disconnect(onAdded);
  };
}
