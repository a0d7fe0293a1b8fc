/**
 * The leak guard's dialogs and fixes, with their styles, loaded the first
 * time a notebook or file holds a token (see checks.ts).
 */
import '../../style/leakGuard.css';
import * as React from 'react';
import { Dialog, Notification, showDialog } from '@jupyterlab/apputils';
import type { ICodeCellModel } from '@jupyterlab/cells';
import type { INotebookModel, NotebookPanel } from '@jupyterlab/notebook';
import type { Contents } from '@jupyterlab/services';
import { urlHost } from '../github/apiBaseUrl';
import type { Trans } from '../i18n';
import { IKernelWriteResult, writeTokenToKernel } from '../kernel/environment';
import { revokeTokens } from '../github/revoke';
import type { IGitHubTokenSettings } from '../settings';
import { allowTokenIn, isTokenAllowedIn } from '../token/consent';
import { maskToken } from '../token/mask';
import { replaceTokensInPythonSource } from '../python/rewrite';
import {
  containsToken,
  containsTokenValue,
  findTokens,
  ILeak,
  LeakPlace,
  redactTokens,
  redactValue,
  scanNotebook,
  scrubWidgetState,
  valueContainsToken
} from '../token/scan';

/**
 * Called with the result of every write of a token into a kernel that
 * succeeded, so that the one record of holders (Forget's "Clear it from these
 * kernels") includes it.
 */
export type RecordKernelWrite = (result: IKernelWriteResult) => void;

/** What the user chose before a save. */
export type SaveChoice = 'replace' | 'clear-outputs' | 'save' | 'cancel';

function placeLabel(leak: ILeak, trans: Trans): string {
  const cell = leak.cellIndex === null ? '' : trans.__('cell %1', leak.cellIndex + 1);
  const where: Record<LeakPlace, string> = {
    source: trans.__('%1 source', cell),
    outputs: trans.__('%1 output', cell),
    attachments: trans.__('%1 attachment', cell),
    'cell-metadata': trans.__('%1 metadata', cell),
    'notebook-metadata': trans.__('notebook metadata'),
    'widget-state': trans.__('saved widget state')
  };
  return where[leak.place];
}

/** A token to list: where it is, and the token (shown masked). */
interface IPlacedToken {
  where: string;
  token: string;
}

const placed = (leaks: ILeak[], trans: Trans): IPlacedToken[] =>
  leaks.map(leak => ({ where: placeLabel(leak, trans), token: leak.token }));

/** Where the tokens are, each masked. */
function LeakList({ leaks, trans }: { leaks: IPlacedToken[]; trans: Trans }): JSX.Element {
  return (
    <ul className="jp-GitHubToken-leaks" data-testid="leak-list">
      {leaks.slice(0, 12).map((leak, i) => (
        <li key={i}>
          {leak.where}: <code>{maskToken(leak.token)}</code>
        </li>
      ))}
      {leaks.length > 12 && <li>{trans.__('and %1 more', leaks.length - 12)}</li>}
    </ul>
  );
}

/** Said when the file on disk already holds a token: a fix alone would leave it in the checkpoint. */
function CheckpointNote({ trans }: { trans: Trans }): JSX.Element {
  return (
    <p data-testid="checkpoint-note">
      {trans.__(
        'The file on disk already holds the token, and so may its checkpoint (.ipynb_checkpoints): after a fix, the checkpoint is replaced when you save.'
      )}
    </p>
  );
}

const hasPlace = (leaks: ILeak[], places: LeakPlace[]) => leaks.some(leak => places.includes(leak.place));

/** Ask what to do with the tokens before saving the notebook at `path`. */
export async function askBeforeSave(
  path: string,
  leaks: ILeak[],
  canFix: boolean,
  trans: Trans,
  onDisk = false,
  ineffective: ReadonlySet<SaveChoice> = new Set()
): Promise<SaveChoice> {
  const offer = (choice: SaveChoice) => canFix && !ineffective.has(choice);
  const buttons: Dialog.IButton[] = [
    Dialog.cancelButton({ label: trans.__('Cancel'), caption: trans.__('Do not save now') }),
    Dialog.warnButton({
      label: trans.__('Save anyway'),
      actions: ['save'],
      caption: trans.__('Write the token to disk')
    })
  ];
  if (offer('clear-outputs') && hasPlace(leaks, ['outputs'])) {
    buttons.push(Dialog.okButton({ label: trans.__('Clear outputs'), actions: ['clear-outputs'] }));
  }
  if (offer('replace') && hasPlace(leaks, ['source', 'attachments', 'cell-metadata', 'notebook-metadata'])) {
    buttons.push(Dialog.okButton({ label: trans.__('Replace with environment read'), actions: ['replace'] }));
  }
  const body = (
    <div className="jp-GitHubToken-leakDialog">
      <p>
        {trans.__(
          'Saving "%1" would write a GitHub token to disk. Anyone who can read the file, or a checkpoint, copy or commit of it, could use the token:',
          path
        )}
      </p>
      <LeakList leaks={placed(leaks, trans)} trans={trans} />
      <p>
        {trans.__(
          'Replace with environment read: in code, the token becomes os.environ.get(…) and, if the kernel has none of the variables set yet, it gets the token as an environment variable; elsewhere it is removed. Clear outputs: clears the outputs of the cells that show it. Save anyway: saves it as it is.'
        )}
      </p>
      {ineffective.size > 0 && (
        <p data-testid="leak-fix-ineffective">
          {trans.__(
            'The fix could not remove these: the token is split across strings or cells, or encoded. Edit the places listed yourself, or save anyway.'
          )}
        </p>
      )}
      {onDisk && <CheckpointNote trans={trans} />}
    </div>
  );
  const result = await showDialog({
    title: trans.__('This notebook contains a GitHub token'),
    body,
    buttons,
    // Enter applies a fix, never writes the token: without a fix, it cancels.
    defaultButton: buttons.length > 2 ? buttons.length - 1 : 0
  });
  const action = result.button.actions.find(a => a === 'replace' || a === 'clear-outputs' || a === 'save');
  return (result.button.accept && (action as SaveChoice)) || 'cancel';
}

/**
 * Apply a fix to the notebook model: `replace` rewrites sources (code reads
 * the environment; markdown and raw text lose the token), attachments and
 * metadata; `clear-outputs` clears the outputs that show a token. After a
 * replace, with `kernel` 'if-unset', the kernel gets the (single) token in
 * its environment so code that read it keeps working, but only when it has
 * none of the variables set: a token taken from a file never replaces one
 * the user gave the kernel. With 'never' (on opening a notebook) the user is
 * told to set the variable. A kernel that got the token is passed to
 * `recordKernel`, when given.
 */
export async function applyFix(
  choice: 'replace' | 'clear-outputs',
  model: INotebookModel,
  panel: NotebookPanel | null,
  settings: IGitHubTokenSettings,
  trans: Trans,
  kernel: 'if-unset' | 'never' = 'if-unset',
  recordKernel?: RecordKernelWrite
): Promise<void> {
  const envName = settings.environmentVariables[0];
  const moved = new Set<string>();
  for (const cell of Array.from(model.cells)) {
    if (choice === 'clear-outputs') {
      const outputs = (cell as ICodeCellModel).outputs;
      if (cell.type === 'code' && outputs && valueContainsToken(outputs.toJSON())) {
        outputs.clear();
      }
      continue;
    }
    const source = cell.sharedModel.getSource();
    if (containsToken(source)) {
      if (cell.type === 'code') {
        const replaced = replaceTokensInPythonSource(source, envName, trans);
        if (replaced.replaced > 0) {
          for (const match of findTokens(source)) {
            moved.add(match.token);
          }
        }
        cell.sharedModel.setSource(replaced.source);
      } else {
        cell.sharedModel.setSource(redactTokens(source).text);
      }
    }
    redactMetadata(cell);
    const shared = cell.sharedModel as { getAttachments?: () => unknown; setAttachments?: (a: unknown) => void };
    const attachments = shared.getAttachments?.();
    if (attachments && valueContainsToken(attachments)) {
      shared.setAttachments?.(redactValue(attachments));
    }
  }
  if (choice === 'replace') {
    redactMetadata(model);
    if (kernel === 'if-unset') {
      await giveKernelTheToken(moved, panel, settings, trans, recordKernel);
    } else if (moved.size) {
      Notification.info(
        trans.__(
          'Code in this notebook now reads %1 from the environment. Set it in the kernel from the GitHub token panel (Use → Write to kernel environment).',
          settings.environmentVariables[0]
        ),
        { autoClose: 10000 }
      );
    }
  }
}

/** Replace the tokens in the metadata of a cell or notebook model, key by key. */
function redactMetadata(owner: {
  readonly metadata: object;
  getMetadata(key: string): unknown;
  setMetadata(key: string, value: unknown): void;
}): void {
  for (const key of Object.keys(owner.metadata)) {
    const value = owner.getMetadata(key);
    const redacted = redactValue(value);
    if (redacted !== value) {
      owner.setMetadata(key, redacted);
    }
  }
}

/** Code now reads the environment: give the kernel the token it read before. */
async function giveKernelTheToken(
  tokens: Set<string>,
  panel: NotebookPanel | null,
  settings: IGitHubTokenSettings,
  trans: Trans,
  recordKernel?: RecordKernelWrite
): Promise<void> {
  const names = settings.environmentVariables;
  if (tokens.size !== 1 || !panel) {
    if (tokens.size > 1) {
      Notification.warning(
        trans.__(
          'The notebook held %1 different tokens: code now reads %2, which you need to set yourself (GitHub token panel → Use).',
          tokens.size,
          names[0]
        ),
        { autoClose: 10000 }
      );
    }
    return;
  }
  const couldNot = (why: string) =>
    Notification.warning(
      trans.__('Code now reads %1 from the environment, but the kernel could not get the token: %2', names[0], why),
      { autoClose: 12000 }
    );
  const [token] = tokens;
  // One the user gave the kernel stays: the notebook's token never silently replaces it.
  const result = await writeTokenToKernel(panel.sessionContext, panel.context.path, token, names, trans, true);
  if (result.problem === 'already-set') {
    Notification.info(
      trans.__(
        "Code now reads %1 from the environment. The kernel already has %2 set: it was left as it is, not replaced by the notebook's token.",
        names[0],
        result.variables.join(', ')
      ),
      { autoClose: 12000 }
    );
    return;
  }
  if (result.ok) {
    recordKernel?.(result);
    Notification.info(
      trans.__(
        'The token moved out of the notebook into the kernel environment (%1). Run the changed cells again to use it.',
        names.join(', ')
      ),
      { autoClose: 8000 }
    );
  } else {
    couldNot(result.message);
  }
}

/**
 * A notebook that already contains tokens was opened: say so, and offer to
 * remove them from the notebook or revoke them on GitHub. "Keep for now" is
 * the default; removing never gives the kernel the notebook's token. Resolves
 * to 'removed' when the tokens were removed from the notebook.
 */
export async function warnOnOpen(
  panel: NotebookPanel,
  leaks: ILeak[],
  settings: IGitHubTokenSettings,
  trans: Trans
): Promise<'removed' | 'kept'> {
  const tokens = [...new Set(leaks.map(leak => leak.token))];
  const host = urlHost(settings.apiBaseUrl);
  const body = (
    <div className="jp-GitHubToken-leakDialog">
      <p>
        {trans.__(
          '"%1" contains a GitHub token. Anyone who has had this file, or a copy or commit of it, may have used it:',
          panel.context.path
        )}
      </p>
      <LeakList leaks={placed(leaks, trans)} trans={trans} />
      <p>
        {trans._n(
          'Revoke tells GitHub (%2) to disable this token now, for everyone and for good: whatever uses it (scripts, CI, other notebooks) stops working, and you create a new one. Only the token is sent; GitHub does not say whether it was valid.',
          'Revoke tells GitHub (%2) to disable these %1 tokens now, for everyone and for good: whatever uses them (scripts, CI, other notebooks) stops working, and you create new ones. Only the tokens are sent; GitHub does not say whether they were valid.',
          tokens.length,
          host
        )}
      </p>
      <p>
        {trans.__(
          'Remove from notebook: code reads the token from the environment instead (set it from the GitHub token panel), outputs that show it are cleared; save to make it stick: the checkpoint (.ipynb_checkpoints) is replaced when you save.'
        )}
      </p>
    </div>
  );
  const result = await showDialog({
    title: trans.__('This notebook contains a GitHub token'),
    body,
    buttons: [
      Dialog.cancelButton({ label: trans.__('Keep for now') }),
      Dialog.okButton({ label: trans.__('Remove from notebook'), actions: ['remove'] }),
      Dialog.warnButton({ label: trans.__('Revoke on GitHub'), actions: ['revoke'] })
    ],
    defaultButton: 0
  });
  if (!result.button.accept || panel.isDisposed) {
    return 'kept';
  }
  const revoke = result.button.actions.includes('revoke');
  if (revoke) {
    const revoked = await revokeTokens(settings.apiBaseUrl, tokens, {
      timeoutMs: settings.requestTimeoutSeconds * 1000,
      trans
    });
    const after = await showDialog({
      title: revoked.ok ? trans.__('Token revoked') : trans.__('The token was not revoked'),
      body: (
        <p data-testid="revoke-result" data-ok={revoked.ok}>
          {revoked.message} {trans.__('It still appears in the notebook.')}
        </p>
      ),
      buttons: [
        Dialog.cancelButton({ label: trans.__('Keep for now') }),
        Dialog.okButton({ label: trans.__('Remove from notebook') })
      ]
    });
    if (!after.button.accept || panel.isDisposed) {
      return 'kept';
    }
  }
  const model = panel.context.model;
  await applyFix('replace', model, panel, settings, trans, 'never');
  await applyFix('clear-outputs', model, panel, settings, trans);
  return 'removed';
}

/**
 * Replace the checkpoint of `path` with the file as now saved, after a fix
 * removed a token that was on disk: create one (jupyter_server's file
 * checkpoints keep a single one, overwritten), then delete any other listed
 * before. When that fails (e.g. a read-only folder), say so.
 */
export async function replaceCheckpoint(contents: Contents.IManager, path: string, trans: Trans): Promise<void> {
  try {
    const before = await contents.listCheckpoints(path);
    const made = await contents.createCheckpoint(path);
    for (const checkpoint of before) {
      if (checkpoint.id !== made.id) {
        await contents.deleteCheckpoint(path, checkpoint.id);
      }
    }
  } catch {
    Notification.warning(
      trans.__(
        '"%1" was saved without the token, but its checkpoint (.ipynb_checkpoints) could not be replaced and may still hold it. Delete the checkpoint yourself.',
        path
      ),
      { autoClose: false }
    );
  }
}

/** A file save the guard found a token in (see checks.ts). */
export interface IFileSaveRequest {
  path: string;
  /** The save as asked for: type `file`, format `text` or `base64`, maybe a `chunk`. */
  options: Partial<Contents.IModel>;
  /** The content as text; for base64, the bytes as a binary string (one character per byte). */
  text: string;
  /** Whether to ask (the guard is on); when not, only saved widget state is scrubbed. */
  ask: boolean;
  /** Whether the file on disk already holds a token. */
  onDisk: boolean;
  trans: Trans;
}

/** What to save instead, or 'cancel'. */
export type FileSaveOutcome =
  | 'cancel'
  | {
      options: Partial<Contents.IModel>;
      /** Whether what is saved still holds a token (the user chose to save it). */
      holdsToken: boolean;
      /** Whether a fix removed tokens. */
      fixed: boolean;
    };

/** What the user chose before a file save. */
export type FileSaveChoice = 'redact' | 'save' | 'cancel';

/** The notebook in `json`, or null when it is not one. */
function parseNotebook(json: string): Record<string, unknown> | null {
  try {
    const value = JSON.parse(json) as unknown;
    return value && typeof value === 'object' && Array.isArray((value as { cells?: unknown }).cells)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** UTF-8 bytes (as a binary string) to text, and back. */
const fromBytes = (bytes: string): string => new TextDecoder().decode(Uint8Array.from(bytes, c => c.charCodeAt(0)));
const toBytes = (text: string): string =>
  Array.from(new TextEncoder().encode(text), b => String.fromCharCode(b)).join('');

/** Unapproved tokens in a text file, by line. */
function tokensByLine(path: string, text: string, trans: Trans): IPlacedToken[] {
  const found: IPlacedToken[] = [];
  let line = 1;
  let pos = 0;
  for (const match of findTokens(text)) {
    for (; pos < match.start; pos++) {
      if (text.charCodeAt(pos) === 10) {
        line++;
      }
    }
    if (!isTokenAllowedIn(path, match.token)) {
      found.push({ where: trans.__('line %1', line), token: match.token });
    }
  }
  return found;
}

/**
 * Guard a file save: a notebook saved as a file (text editor, upload) has
 * its saved widget state scrubbed and is scanned like a notebook; any other
 * text is scanned as text. Before a token is written, the user chooses:
 * Cancel, Save anyway, or Remove token (redacted in the text; not offered for
 * binary content, which it would corrupt). A chunk of a large upload is
 * scanned on its own, as text: a token split across two chunks is not seen.
 */
export async function guardFileSave(request: IFileSaveRequest): Promise<FileSaveOutcome> {
  const { path, options, ask, onDisk, trans } = request;
  const base64 = options.format === 'base64';
  const chunk = typeof options.chunk === 'number' ? options.chunk : null;
  let text = request.text;
  let changed = false;
  const readNotebook = (): Record<string, unknown> | null =>
    chunk === null && /\.ipynb$/i.test(path) ? parseNotebook(base64 ? fromBytes(text) : text) : null;
  let notebook = readNotebook();
  if (notebook) {
    const scrubbed = scrubWidgetState(notebook);
    if (scrubbed.removed) {
      // Written again as nbformat does (one-space indent): only when the widget state held a token.
      notebook = scrubbed.content as Record<string, unknown>;
      const json = JSON.stringify(notebook, null, 1) + '\n';
      text = base64 ? toBytes(json) : json;
      changed = true;
    }
  }
  let fixed = false;
  let canRedact = !!notebook || !text.includes('\0');
  const unapproved = (): IPlacedToken[] =>
    notebook
      ? placed(
          scanNotebook(notebook).filter(leak => !isTokenAllowedIn(path, leak.token)),
          trans
        )
      : tokensByLine(path, text, trans);
  for (let found = ask ? unapproved() : []; found.length; found = unapproved()) {
    const choice = await askBeforeFileSave(path, found, { canRedact, onDisk, upload: base64, chunk }, trans);
    if (choice === 'cancel') {
      return 'cancel';
    }
    if (choice === 'save') {
      for (const leak of found) {
        allowTokenIn(path, leak.token);
      }
      break;
    }
    const redacted = redactTokens(text);
    if (!redacted.redacted) {
      // Found in a form the text redaction does not reach: ask again without it.
      canRedact = false;
      continue;
    }
    text = redacted.text;
    changed = fixed = true;
    notebook = readNotebook();
  }
  const holdsToken = notebook ? scanNotebook(notebook).length > 0 : containsTokenValue(text);
  const content = !changed ? options.content : base64 ? btoa(text) : text;
  return { options: { ...options, content }, holdsToken, fixed };
}

/** Ask before a file holding tokens is written. */
export async function askBeforeFileSave(
  path: string,
  found: IPlacedToken[],
  how: { canRedact: boolean; onDisk: boolean; upload: boolean; chunk: number | null },
  trans: Trans
): Promise<FileSaveChoice> {
  const buttons: Dialog.IButton[] = [
    Dialog.cancelButton({
      label: trans.__('Cancel'),
      caption: how.upload ? trans.__('Do not upload') : trans.__('Do not save now')
    }),
    Dialog.warnButton({
      label: trans.__('Save anyway'),
      actions: ['save'],
      caption: trans.__('Write the token to disk')
    })
  ];
  if (how.canRedact) {
    buttons.push(
      Dialog.okButton({
        label: trans.__('Remove token'),
        actions: ['redact'],
        caption: trans.__('Replace the token with a placeholder, then save')
      })
    );
  }
  const body = (
    <div className="jp-GitHubToken-leakDialog">
      <p>
        {how.upload
          ? trans.__(
              'Uploading "%1" would write a GitHub token to disk. Anyone who can read the file, or a copy or commit of it, could use the token:',
              path
            )
          : trans.__(
              'Saving "%1" would write a GitHub token to disk. Anyone who can read the file, or a checkpoint, copy or commit of it, could use the token:',
              path
            )}
      </p>
      <LeakList leaks={found} trans={trans} />
      <p>
        {how.canRedact
          ? trans.__(
              'Remove token: each token is replaced with "<GitHub token removed>", then the file is saved. Save anyway: saves it as it is.'
            )
          : trans.__('This content is not text: the token cannot be removed here. Save anyway: saves it as it is.')}
      </p>
      {how.chunk !== null && how.chunk !== 1 && (
        <p>
          {trans.__(
            'This is a part of a large upload; the parts before it are already on the server. Cancel stops the upload and deletes what was uploaded of "%1".',
            path
          )}
        </p>
      )}
      {how.onDisk && <CheckpointNote trans={trans} />}
    </div>
  );
  const result = await showDialog({
    title: how.upload ? trans.__('This upload contains a GitHub token') : trans.__('This file contains a GitHub token'),
    body,
    buttons,
    // Enter never writes the token.
    defaultButton: how.canRedact ? buttons.length - 1 : 0
  });
  const action = result.button.actions.find(a => a === 'redact' || a === 'save');
  return (result.button.accept && (action as FileSaveChoice)) || 'cancel';
}
