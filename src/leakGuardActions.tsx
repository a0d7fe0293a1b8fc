/**
 * The leak guard's dialogs and fixes, loaded the first time a notebook holds
 * a token (see leakGuard.ts).
 */
import * as React from 'react';
import { Dialog, Notification, showDialog } from '@jupyterlab/apputils';
import type { ICodeCellModel } from '@jupyterlab/cells';
import type { INotebookModel, NotebookPanel } from '@jupyterlab/notebook';
import type { TranslationBundle } from '@jupyterlab/translation';
import { urlHost } from './apiBaseUrl';
import { writeTokenToKernel } from './kernelEnvironment';
import { revokeTokens } from './revoke';
import type { IGitHubTokenSettings } from './settings';
import { maskToken } from './tokenFormat';
import { replaceTokensInPythonSource } from './pythonTokenRewrite';
import { containsToken, findTokens, ILeak, LeakPlace, redactTokens, redactValue, valueContainsToken } from './tokenScan';

/** What the user chose before a save. */
export type SaveChoice = 'replace' | 'clear-outputs' | 'save' | 'cancel';

function placeLabel(leak: ILeak, trans: TranslationBundle): string {
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

/** Where the tokens are, each masked. */
function LeakList({ leaks, trans }: { leaks: ILeak[]; trans: TranslationBundle }): JSX.Element {
  return (
    <ul className="jp-GitHubToken-leaks" data-testid="leak-list">
      {leaks.slice(0, 12).map((leak, i) => (
        <li key={i}>
          {placeLabel(leak, trans)}: <code>{maskToken(leak.token)}</code>
        </li>
      ))}
      {leaks.length > 12 && <li>{trans.__('and %1 more', leaks.length - 12)}</li>}
    </ul>
  );
}

const hasPlace = (leaks: ILeak[], places: LeakPlace[]) => leaks.some(leak => places.includes(leak.place));

/** Ask what to do with the tokens before saving the notebook at `path`. */
export async function askBeforeSave(
  path: string,
  leaks: ILeak[],
  canFix: boolean,
  trans: TranslationBundle
): Promise<SaveChoice> {
  const buttons: Dialog.IButton[] = [
    Dialog.cancelButton({ label: trans.__('Cancel'), caption: trans.__('Do not save now') }),
    Dialog.warnButton({ label: trans.__('Save anyway'), actions: ['save'], caption: trans.__('Write the token to disk') })
  ];
  if (canFix && hasPlace(leaks, ['outputs'])) {
    buttons.push(Dialog.okButton({ label: trans.__('Clear outputs'), actions: ['clear-outputs'] }));
  }
  if (canFix && hasPlace(leaks, ['source', 'attachments', 'cell-metadata', 'notebook-metadata'])) {
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
      <LeakList leaks={leaks} trans={trans} />
      <p>
        {trans.__(
          'Replace with environment read: in code, the token becomes os.environ.get(…) and the kernel gets it as an environment variable; elsewhere it is removed. Clear outputs: clears the outputs of the cells that show it. Save anyway: saves it as it is.'
        )}
      </p>
    </div>
  );
  const result = await showDialog({
    title: trans.__('This notebook contains a GitHub token'),
    body,
    buttons,
    defaultButton: buttons.length - 1
  });
  const action = result.button.actions.find(a => a === 'replace' || a === 'clear-outputs' || a === 'save');
  return (result.button.accept && (action as SaveChoice)) || 'cancel';
}

/**
 * Apply a fix to the notebook model: `replace` rewrites sources (code reads
 * the environment; markdown and raw text lose the token), attachments and
 * metadata; `clear-outputs` clears the outputs that show a token. After a
 * replace, unless `giveKernel` is false (the token was revoked), the kernel
 * gets the (single) token in its environment so code that read it keeps
 * working.
 */
export async function applyFix(
  choice: 'replace' | 'clear-outputs',
  model: INotebookModel,
  panel: NotebookPanel | null,
  settings: IGitHubTokenSettings,
  trans: TranslationBundle,
  giveKernel = true
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
        const replaced = replaceTokensInPythonSource(source, envName);
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
    if (giveKernel) {
      await giveKernelTheToken(moved, panel, settings, trans);
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
  trans: TranslationBundle
): Promise<void> {
  const names = settings.environmentVariables;
  if (tokens.size !== 1 || !panel) {
    if (tokens.size > 1) {
      Notification.warning(trans.__('The notebook held %1 different tokens: code now reads %2, which you need to set yourself (GitHub token panel → Use).', tokens.size, names[0]), { autoClose: 10000 });
    }
    return;
  }
  const [token] = tokens;
  const result = await writeTokenToKernel(panel.sessionContext, panel.context.path, token, names, trans);
  if (result.ok) {
    Notification.info(trans.__('The token moved out of the notebook into the kernel environment (%1). Run the changed cells again to use it.', names.join(', ')), { autoClose: 8000 });
  } else {
    Notification.warning(trans.__('Code now reads %1 from the environment, but the kernel could not get the token: %2', names[0], result.message), { autoClose: 12000 });
  }
}

/**
 * A notebook that already contains tokens was opened: say so, and offer to
 * remove them from the notebook or revoke them on GitHub.
 */
export async function warnOnOpen(
  panel: NotebookPanel,
  leaks: ILeak[],
  settings: IGitHubTokenSettings,
  trans: TranslationBundle
): Promise<void> {
  const tokens = [...new Set(leaks.map(leak => leak.token))];
  const host = urlHost(settings.apiBaseUrl);
  const body = (
    <div className="jp-GitHubToken-leakDialog">
      <p>{trans.__('"%1" contains a GitHub token. Anyone who has had this file, or a copy or commit of it, may have used it:', panel.context.path)}</p>
      <LeakList leaks={leaks} trans={trans} />
      <p>
        {trans._n(
          'Revoke tells GitHub (%2) to disable this token now, for everyone and for good: whatever uses it (scripts, CI, other notebooks) stops working, and you create a new one. Only the token is sent; GitHub does not say whether it was valid.',
          'Revoke tells GitHub (%2) to disable these %1 tokens now, for everyone and for good: whatever uses them (scripts, CI, other notebooks) stops working, and you create new ones. Only the tokens are sent; GitHub does not say whether they were valid.',
          tokens.length,
          host
        )}
      </p>
      <p>{trans.__('Remove from notebook: code reads the token from the environment instead, outputs that show it are cleared; save to make it stick.')}</p>
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
    defaultButton: 1
  });
  if (!result.button.accept || panel.isDisposed) {
    return;
  }
  const revoke = result.button.actions.includes('revoke');
  if (revoke) {
    const revoked = await revokeTokens(settings.apiBaseUrl, tokens, { timeoutMs: settings.requestTimeoutSeconds * 1000, trans });
    const after = await showDialog({
      title: revoked.ok ? trans.__('Token revoked') : trans.__('The token was not revoked'),
      body: (
        <p data-testid="revoke-result" data-ok={revoked.ok}>
          {revoked.message} {trans.__('It still appears in the notebook.')}
        </p>
      ),
      buttons: [Dialog.cancelButton({ label: trans.__('Keep for now') }), Dialog.okButton({ label: trans.__('Remove from notebook') })]
    });
    if (!after.button.accept || panel.isDisposed) {
      return;
    }
  }
  const model = panel.context.model;
  await applyFix('replace', model, panel, settings, trans, !revoke);
  await applyFix('clear-outputs', model, panel, settings, trans);
}
