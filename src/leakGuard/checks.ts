/**
 * The leak guard's checks: what each guarded save may write, and what an
 * opened notebook holds. Loaded with the token scanner when a notebook is
 * first opened or a file saved (see guard.ts, which routes saves here).
 *
 * When a fix removed a token that was on disk, the file's checkpoint is
 * replaced after the next save. The dialogs and fixes load on first use.
 */
import type { INotebookModel, NotebookPanel } from '@jupyterlab/notebook';
import type { Contents } from '@jupyterlab/services';
import { withDefaults } from '../settings';
import { allowTokenIn, isTokenAllowedIn } from '../token/consent';
import { containsTokenValue, ILeak, scanNotebook, scrubWidgetState } from '../token/scan';
import type { ILeakGuardOptions } from './guard';

export interface ILeakChecksOptions extends ILeakGuardOptions {
  /** The contents manager's own save, which the guard wraps. */
  save(path: string, options: Partial<Contents.IModel>): Promise<Contents.IModel>;
  /** Notebooks being saved now: Save As saves to a path no panel has yet. */
  saving: ReadonlySet<NotebookPanel>;
}

export interface ILeakChecks {
  /** Save a notebook (type `notebook`) once its tokens are dealt with. */
  saveNotebook(path: string, options: Partial<Contents.IModel>): Promise<Contents.IModel>;
  /** Save a file written as text or base64 once its tokens are dealt with. */
  saveFile(path: string, options: Partial<Contents.IModel>): Promise<Contents.IModel>;
  /** Look at a notebook opened in `panel` once loaded; warn if it holds a token. */
  opened(panel: NotebookPanel): void;
}

/** Leaks the user has not explicitly agreed to save. */
function unapprovedLeaks(path: string, content: unknown): ILeak[] {
  return approvedOrNot(path, scanNotebook(content));
}

/** The leaks as one comparable string (place, cell, token). */
function leakKeys(leaks: ILeak[]): string {
  return leaks.map(leak => `${leak.place}\u0000${leak.cellIndex}\u0000${leak.token}`).join('\u0001');
}

function approvedOrNot(path: string, leaks: ILeak[]): ILeak[] {
  return leaks.filter(leak => !isTokenAllowedIn(path, leak.token));
}

/**
 * The error that makes JupyterLab drop a save silently (as for a cancelled
 * dialog). Save As recognises it by its message, 'Cancel'; an upload shows
 * the message, so uploads get one that says why.
 */
function cancelledSave(message = 'Cancel'): Error {
  const error = new Error(message);
  error.name = 'ModalCancelError';
  return error;
}

/** The bytes of base64 `content` as a binary string (one character per byte), or null. */
function decodeBase64(content: string): string | null {
  try {
    return atob(content);
  } catch {
    return null;
  }
}

/** The checks, with their state: which files hold a token on disk, which saves are waiting. */
export function createLeakChecks(options: ILeakChecksOptions): ILeakChecks {
  const { contents, notebooks, trans, save, saving } = options;
  const settings = () => withDefaults(options.settings());
  /** Saves waiting for the user's answer, by path: later saves share the outcome. */
  const guarding = new Map<string, Promise<Contents.IModel>>();
  /** Paths whose file on disk, and so its checkpoint, may hold a token. */
  const tokenOnDisk = new Set<string>();
  /** Paths where a fix removed a token that was on disk: the checkpoint is replaced after the next save. */
  const staleCheckpoint = new Set<string>();

  const loadActions = () => import(/* webpackChunkName: "leak-guard-dialogs" */ './actions');

  /**
   * The panel whose notebook is being saved at `path`: the one open there,
   * else (Save As) the only panel saving now whose cells are the saved ones.
   */
  const panelOf = (path: string, content: unknown): NotebookPanel | null => {
    const open = notebooks.find(panel => panel.context.path === path);
    if (open) {
      return open;
    }
    const cells = JSON.stringify((content as { cells?: unknown } | null)?.cells ?? null);
    const candidates = [...saving].filter(
      panel =>
        !panel.isDisposed &&
        panel.context.path !== path &&
        JSON.stringify((panel.context.model.toJSON() as { cells?: unknown } | null)?.cells ?? null) === cells
    );
    return candidates.length === 1 ? candidates[0] : null;
  };

  /**
   * Record what a save wrote (`holdsToken` null: not scanned). `chunk` is
   * the upload chunk: 1 starts a file, -1 ends it.
   */
  const afterSave = async (path: string, holdsToken: boolean | null, chunk?: number): Promise<void> => {
    if (holdsToken) {
      tokenOnDisk.add(path);
    } else if (holdsToken === false && (chunk === undefined || chunk === 1)) {
      tokenOnDisk.delete(path);
    }
    if ((chunk === undefined || chunk === -1) && staleCheckpoint.delete(path)) {
      // Only ever set after a fix, so the chunk is already loaded.
      await (await loadActions()).replaceCheckpoint(contents, path, trans);
    }
  };

  /** Save once the user dealt with `leaks` (found in `saveOptions.content`). */
  const guardedSave = async (
    path: string,
    saveOptions: Partial<Contents.IModel>,
    leaks: ILeak[]
  ): Promise<Contents.IModel> => {
    const panel = panelOf(path, saveOptions.content);
    const modelOf = (): INotebookModel | null => (panel && !panel.isDisposed ? panel.context.model : null);
    let content = saveOptions.content as unknown;
    /** Fixes that left the leaks as they were (a split or encoded token): not offered again. */
    const ineffective = new Set<'replace' | 'clear-outputs'>();
    while (leaks.length) {
      const actions = await loadActions();
      const model = modelOf();
      const onDisk = tokenOnDisk.has(path);
      const choice = await actions.askBeforeSave(path, leaks, !!model, trans, onDisk, new Set(ineffective));
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
      await actions.applyFix(choice, model, panel, settings(), trans, 'if-unset', options.recordKernel);
      if (onDisk) {
        staleCheckpoint.add(path);
      }
      // What the notebook holds now (the fix may not have caught everything).
      content = scrubWidgetState(model.toJSON()).content;
      const before = leakKeys(leaks);
      leaks = unapprovedLeaks(path, content);
      if (leakKeys(leaks) === before) {
        ineffective.add(choice);
      }
    }
    const result = await save(path, { ...saveOptions, content: content as Contents.IModel['content'] });
    await afterSave(path, scanNotebook(content).length > 0);
    return result;
  };

  /**
   * A file saved as text or base64: a notebook in the text editor, any text
   * file, an upload (chunked uploads are scanned chunk by chunk).
   */
  const guardedFileSave = async (path: string, saveOptions: Partial<Contents.IModel>): Promise<Contents.IModel> => {
    const ask = settings().leakGuard;
    const notebook = /\.ipynb$/i.test(path);
    const chunk = saveOptions.chunk;
    const base64 = saveOptions.format === 'base64';
    // Widget state is scrubbed even with the guard off, as for notebooks.
    const text =
      ask || notebook ? (base64 ? decodeBase64(saveOptions.content) : (saveOptions.content as string)) : null;
    if (text === null || !containsTokenValue(text)) {
      const result = await save(path, saveOptions);
      await afterSave(path, text === null ? null : false, chunk);
      return result;
    }
    const actions = await loadActions();
    const outcome = await actions.guardFileSave({
      path,
      options: saveOptions,
      text,
      ask,
      onDisk: tokenOnDisk.has(path),
      trans
    });
    if (outcome === 'cancel') {
      if (typeof chunk === 'number' && chunk !== 1) {
        // The chunks before this one are on disk: do not leave half a file.
        await contents.delete(path).catch(() => undefined);
      }
      throw cancelledSave(base64 ? trans.__('Not uploaded: "%1" holds a GitHub token.', path) : undefined);
    }
    if (outcome.fixed && tokenOnDisk.has(path)) {
      staleCheckpoint.add(path);
    }
    const result = await save(path, outcome.options);
    if (outcome.fixed && !base64 && typeof outcome.options.content === 'string') {
      options.setOpenText?.(path, outcome.options.content);
    }
    await afterSave(path, outcome.holdsToken, chunk);
    return result;
  };

  /** One save at a time per path while the user is asked: later saves share the outcome. */
  const once = (path: string, run: () => Promise<Contents.IModel>): Promise<Contents.IModel> => {
    const waiting = guarding.get(path);
    if (waiting) {
      return waiting;
    }
    const running = run().finally(() => guarding.delete(path));
    guarding.set(path, running);
    return running;
  };

  const saveNotebook = (path: string, saveOptions: Partial<Contents.IModel>): Promise<Contents.IModel> => {
    const waiting = guarding.get(path);
    if (waiting) {
      return waiting;
    }
    const scrubbed = {
      ...saveOptions,
      content: scrubWidgetState(saveOptions.content).content as Contents.IModel['content']
    };
    if (!settings().leakGuard) {
      return save(path, scrubbed).then(async result => {
        await afterSave(path, null);
        return result;
      });
    }
    const found = scanNotebook(scrubbed.content);
    const leaks = approvedOrNot(path, found);
    if (!leaks.length) {
      return save(path, scrubbed).then(async result => {
        await afterSave(path, found.length > 0);
        return result;
      });
    }
    return once(path, () => guardedSave(path, scrubbed, leaks));
  };

  const opened = (panel: NotebookPanel): void => {
    void panel.context.ready.then(async () => {
      const model = panel.context.model;
      if (!settings().leakGuard || panel.isDisposed) {
        return;
      }
      const path = panel.context.path;
      const found = scanNotebook(model.toJSON());
      if (found.length) {
        // As loaded from disk: the file and its checkpoint hold these.
        tokenOnDisk.add(path);
      }
      const leaks = approvedOrNot(path, found);
      if (leaks.length) {
        const actions = await loadActions();
        if ((await actions.warnOnOpen(panel, leaks, settings(), trans)) === 'removed') {
          staleCheckpoint.add(panel.context.path);
        }
      }
    });
  };

  return {
    saveNotebook,
    saveFile: (path, saveOptions) => once(path, () => guardedFileSave(path, saveOptions)),
    opened
  };
}
