/**
 * The leak guard's dialogs and fixes, with JupyterLab's real Dialog (driven
 * through the DOM) and a real notebook model; the kernel is a fake that
 * records every request.
 */
import { Notification } from '@jupyterlab/apputils';
import type { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { NotebookModel } from '@jupyterlab/notebook';
import type { Contents } from '@jupyterlab/services';
import { acceptDialog, dismissDialog, waitForDialog } from '@jupyterlab/testing';
import { Signal } from '@lumino/signaling';
import { installLeakGuard } from '../../../src/leakGuard/guard';
import { applyFix, askBeforeSave, warnOnOpen } from '../../../src/leakGuard/actions';
import { DEFAULT_SETTINGS, IGitHubTokenSettings } from '../../../src/settings';
import { clearTokenConsents } from '../../../src/token/consent';
import { scanNotebook } from '../../../src/token/scan';
import { notebookWithPassword } from '../support/testing';
import { trans } from '../support/trans';

const TOKEN = 'ghp_' + 'A1b2C3d4'.repeat(4) + 'wxyz';
const USER_GAVE = 'ghp_' + 'Z9y8X7w6'.repeat(4) + 'abcd';
const SETTINGS: IGitHubTokenSettings = { ...DEFAULT_SETTINGS };
const USER_EXPRESSION = 'jupyterlab_github_token_set';

/** A Python kernel whose environment holds `env`; it records the requests and answers like ipykernel. */
function fakeKernel(env: Record<string, string> = {}) {
  const requests: Array<Record<string, any>> = [];
  return {
    status: 'idle',
    connectionStatus: 'connected',
    info: Promise.resolve({ language_info: { name: 'python' } }),
    requests,
    requestExecute: jest.fn((content: Record<string, any>) => {
      requests.push(content);
      const match = /environ[^\n]*'(gh[pousr]_[A-Za-z0-9]+)'/.exec(content.code);
      if (match) {
        for (const name of SETTINGS.environmentVariables) {
          env[name] = match[1];
        }
      }
      const set = SETTINGS.environmentVariables.filter(name => env[name]);
      // src/kernel/environment.ts may first ask whether the kernel logs requests: this one does not.
      const asksLogging = String(content.user_expressions?.[USER_EXPRESSION] ?? '').includes("'quiet'");
      const value = asksLogging ? "'quiet'" : `[${set.map(n => `'${n}'`).join(', ')}]`;
      return {
        done: Promise.resolve({
          content: {
            status: 'ok',
            execution_count: 0,
            user_expressions: {
              [USER_EXPRESSION]: { status: 'ok', data: { 'text/plain': value }, metadata: {} }
            }
          }
        })
      };
    })
  };
}

function fakePanel(source: string, kernel = fakeKernel()) {
  const model = new NotebookModel();
  model.fromJSON(notebookWithPassword(source));
  const panel = {
    context: { path: 'a.ipynb', model },
    sessionContext: { session: { kernel }, kernelDisplayName: 'Python 3' },
    isDisposed: false
  } as unknown as NotebookPanel;
  return { panel, model, kernel };
}

const sourceOf = (model: NotebookModel) => model.cells.get(0).sharedModel.getSource();

/** Click the dialog button labelled `label`. */
async function click(label: string): Promise<void> {
  await waitForDialog();
  const buttons = Array.from(document.querySelectorAll<HTMLButtonElement>('.jp-Dialog button.jp-Dialog-button'));
  const button = buttons.find(b => b.querySelector('.jp-Dialog-buttonLabel')?.textContent === label);
  if (!button) {
    throw new Error(`No button "${label}" in ${buttons.map(b => b.textContent).join(', ')}`);
  }
  button.click();
}

/** The dialog's text and button labels, once it is rendered. */
async function dialogText(): Promise<{ text: string; buttons: string[] }> {
  await waitForDialog();
  await new Promise(resolve => setTimeout(resolve, 50));
  const node = document.querySelector('.jp-Dialog')!;
  return {
    text: node.textContent ?? '',
    buttons: Array.from(node.querySelectorAll('.jp-Dialog-buttonLabel'), b => b.textContent ?? '')
  };
}

let info: jest.SpyInstance;
beforeEach(() => {
  clearTokenConsents();
  info = jest.spyOn(Notification, 'info');
  jest.spyOn(Notification, 'warning');
});
afterEach(async () => {
  await dismissDialog();
  jest.restoreAllMocks();
});

describe('warnOnOpen', () => {
  it('Enter keeps the notebook as it is and does not touch the kernel: "Keep for now" is the default', async () => {
    const { panel, model, kernel } = fakePanel(`t = "${TOKEN}"`);
    const leaks = scanNotebook(model.toJSON());
    const answer = warnOnOpen(panel, leaks, SETTINGS, trans);
    await acceptDialog();
    expect(await answer).toBe('kept');
    expect(sourceOf(model)).toContain(TOKEN);
    expect(kernel.requestExecute).not.toHaveBeenCalled();
  });

  it('"Remove from notebook" never puts the notebook\'s token into the kernel, says what to do, and that the checkpoint is replaced on save', async () => {
    const { panel, model, kernel } = fakePanel(`t = "${TOKEN}"`);
    const answer = warnOnOpen(panel, scanNotebook(model.toJSON()), SETTINGS, trans);
    const { text } = await dialogText();
    expect(text).toMatch(/the checkpoint \(.ipynb_checkpoints\) is replaced when you save/);
    expect(text).not.toContain(TOKEN);
    await click('Remove from notebook');
    expect(await answer).toBe('removed');
    expect(sourceOf(model)).not.toContain(TOKEN);
    expect(sourceOf(model)).toContain('os.environ.get("GITHUB_TOKEN", "")');
    expect(kernel.requestExecute).not.toHaveBeenCalled();
    expect(info).toHaveBeenCalledWith(expect.stringContaining('now reads GITHUB_TOKEN'), expect.anything());
    expect(JSON.stringify(info.mock.calls)).not.toContain(TOKEN);
  });
});

describe('applyFix "replace" (save dialog) and the kernel', () => {
  it('leaves a token the user gave the kernel: only a check is sent, without the token', async () => {
    const env = { GITHUB_TOKEN: USER_GAVE, GH_TOKEN: USER_GAVE };
    const { panel, model, kernel } = fakePanel(`t = "${TOKEN}"`, fakeKernel(env));
    await applyFix('replace', model, panel, SETTINGS, trans);
    expect(sourceOf(model)).not.toContain(TOKEN);
    expect(env.GITHUB_TOKEN).toBe(USER_GAVE);
    expect(kernel.requests).toHaveLength(1);
    expect(kernel.requests[0]).toMatchObject({ code: '', silent: true, store_history: false });
    expect(JSON.stringify(kernel.requests)).not.toContain(TOKEN);
    expect(info).toHaveBeenCalledWith(expect.stringContaining('left as it is'), expect.anything());
  });

  it('gives the token to a kernel that has none of the variables, after checking silently', async () => {
    const env: Record<string, string> = {};
    const { panel, model, kernel } = fakePanel(`t = "${TOKEN}"`, fakeKernel(env));
    await applyFix('replace', model, panel, SETTINGS, trans);
    expect(JSON.stringify(kernel.requests[0])).not.toContain(TOKEN);
    expect(kernel.requests[0].user_expressions[USER_EXPRESSION]).toContain("'GITHUB_TOKEN', 'GH_TOKEN'");
    expect(kernel.requests.filter(r => r.code.includes(TOKEN))).toHaveLength(1);
    expect(env).toEqual({ GITHUB_TOKEN: TOKEN, GH_TOKEN: TOKEN });
  });

  it('passes the kernel it gave the token to recordKernel, with what was set and no token', async () => {
    const recordKernel = jest.fn();
    const { panel, model } = fakePanel(`t = "${TOKEN}"`, fakeKernel({}));
    await applyFix('replace', model, panel, SETTINGS, trans, 'if-unset', recordKernel);
    expect(recordKernel).toHaveBeenCalledTimes(1);
    expect(recordKernel.mock.calls[0][0]).toMatchObject({ ok: true, variables: ['GITHUB_TOKEN', 'GH_TOKEN'] });
    expect(JSON.stringify(recordKernel.mock.calls)).not.toContain(TOKEN);
  });

  it('records no kernel when none got the token: one already set, a busy kernel, or on opening', async () => {
    const recordKernel = jest.fn();
    const given = { GITHUB_TOKEN: USER_GAVE, GH_TOKEN: USER_GAVE };
    const kept = fakePanel(`t = "${TOKEN}"`, fakeKernel(given));
    await applyFix('replace', kept.model, kept.panel, SETTINGS, trans, 'if-unset', recordKernel);
    const busyKernel = { ...fakeKernel({}), status: 'busy' };
    const busy = fakePanel(`t = "${TOKEN}"`, busyKernel as ReturnType<typeof fakeKernel>);
    await applyFix('replace', busy.model, busy.panel, SETTINGS, trans, 'if-unset', recordKernel);
    expect(busyKernel.requests.filter(r => r.code.includes(TOKEN))).toHaveLength(0);
    const opening = fakePanel(`t = "${TOKEN}"`, fakeKernel({}));
    await applyFix('replace', opening.model, opening.panel, SETTINGS, trans, 'never', recordKernel);
    expect(opening.kernel.requestExecute).not.toHaveBeenCalled();
    expect(recordKernel).not.toHaveBeenCalled();
  });
});

describe('askBeforeSave', () => {
  it('Enter never writes the token: without a fix to offer (e.g. no open notebook), it cancels', async () => {
    const leaks = scanNotebook(notebookWithPassword(`t = "${TOKEN}"`));
    const answer = askBeforeSave('b.ipynb', leaks, false, trans);
    const { buttons } = await dialogText();
    expect(buttons).toEqual(['Cancel', 'Save anyway']);
    await acceptDialog();
    expect(await answer).toBe('cancel');
  });

  it('when the token is already on disk, says the checkpoint is replaced on save; Enter applies the fix', async () => {
    const leaks = scanNotebook(notebookWithPassword(`t = "${TOKEN}"`));
    const answer = askBeforeSave('a.ipynb', leaks, true, trans, true);
    const { text } = await dialogText();
    expect(text).toContain('the checkpoint is replaced when you save');
    await acceptDialog();
    expect(await answer).toBe('replace');
    const quiet = askBeforeSave('a.ipynb', leaks, true, trans, false);
    expect((await dialogText()).text).not.toContain('checkpoint is replaced');
    await acceptDialog();
    await quiet;
  });
});

describe('file saves through the guard', () => {
  function setup(settings: Partial<IGitHubTokenSettings> = {}) {
    const saved: Array<{ path: string; options: any }> = [];
    const contents = {
      save: jest.fn(async (path: string, options: any) => {
        saved.push({ path, options });
        return { path } as Contents.IModel;
      }),
      listCheckpoints: jest.fn(async () => []),
      createCheckpoint: jest.fn(async () => ({ id: 'checkpoint', last_modified: '' })),
      deleteCheckpoint: jest.fn(async () => undefined),
      delete: jest.fn(async () => undefined)
    };
    const notebooks = {
      find: () => undefined,
      widgetAdded: new Signal<unknown, any>({})
    } as unknown as INotebookTracker;
    const remove = installLeakGuard({
      contents: contents as unknown as Contents.IManager,
      notebooks,
      trans,
      settings: () => ({ ...DEFAULT_SETTINGS, ...settings })
    });
    return { contents: contents as unknown as Contents.IManager, saved, remove };
  }
  const text = (content: string): Partial<Contents.IModel> => ({ type: 'file', format: 'text', content });
  /** UTF-8 base64, as the file browser uploads. */
  const base64 = (value: string) =>
    btoa(Array.from(new TextEncoder().encode(value), b => String.fromCharCode(b)).join(''));
  const unbase64 = (value: string) => new TextDecoder().decode(Uint8Array.from(atob(value), c => c.charCodeAt(0)));

  let guard: ReturnType<typeof setup> | null = null;
  afterEach(() => guard?.remove());

  it('a .py file: the dialog lists the line, Enter removes the token and saves the rest unchanged', async () => {
    guard = setup();
    const saving = guard.contents.save('script.py', text(`import os\nTOKEN = "${TOKEN}"  # mine\n`));
    const { text: body, buttons } = await dialogText();
    expect(body).toContain('line 2');
    expect(body).not.toContain(TOKEN);
    expect(buttons).toEqual(['Cancel', 'Save anyway', 'Remove token']);
    await acceptDialog();
    await saving;
    expect(guard.saved[0].options.content).toBe('import os\nTOKEN = "<GitHub token removed>"  # mine\n');
  });

  it('Cancel writes nothing; Save anyway writes it and is not asked again for that file', async () => {
    guard = setup();
    const content = text(`TOKEN = "${TOKEN}"`);
    const cancelled = guard.contents.save('script.py', content);
    await click('Cancel');
    await expect(cancelled).rejects.toMatchObject({ name: 'ModalCancelError' });
    expect(guard.saved).toHaveLength(0);
    const anyway = guard.contents.save('script.py', content);
    await click('Save anyway');
    await anyway;
    await guard.contents.save('script.py', content);
    expect(guard.saved.map(s => s.options.content)).toEqual([content.content, content.content]);
  });

  it('a notebook saved from the text editor loses the token in its widget state, without a dialog, guard on or off', async () => {
    for (const leakGuard of [true, false]) {
      guard = setup({ leakGuard });
      await guard.contents.save('a.ipynb', text(JSON.stringify(notebookWithPassword('x = 1', TOKEN), null, 1)));
      const content = guard.saved[0].options.content as string;
      expect(content).not.toContain(TOKEN);
      expect(
        JSON.parse(content).metadata.widgets['application/vnd.jupyter.widget-state+json'].state.abc.state.value
      ).toBe('');
      expect(JSON.parse(content).cells[0].source).toBe('x = 1');
      guard.remove();
    }
    guard = null;
  });

  it('an uploaded notebook (base64) is scanned as a notebook; Remove token keeps its other bytes', async () => {
    guard = setup();
    const upload = guard.contents.save('up.ipynb', {
      type: 'file',
      format: 'base64',
      content: base64(JSON.stringify(notebookWithPassword(`t = "${TOKEN}"  # café`)))
    });
    const { text: body } = await dialogText();
    expect(body).toContain('This upload contains a GitHub token');
    expect(body).toContain('cell 1 source');
    await click('Remove token');
    await upload;
    const saved = JSON.parse(unbase64(guard.saved[0].options.content));
    expect(saved.cells[0].source).toBe('t = "<GitHub token removed>"  # café');
  });

  it('a binary upload chunk is not redacted (it would be corrupted): Cancel or Save anyway; Enter cancels', async () => {
    guard = setup();
    const chunk = guard.contents.save('data.bin', {
      type: 'file',
      format: 'base64',
      chunk: 2,
      content: btoa(`\u0000\u0001${TOKEN}\u0000`)
    });
    const { buttons, text: body } = await dialogText();
    expect(buttons).toEqual(['Cancel', 'Save anyway']);
    expect(body).toContain('parts before it are already on the server');
    await acceptDialog();
    await expect(chunk).rejects.toMatchObject({ name: 'ModalCancelError' });
    expect(guard.saved).toHaveLength(0);
  });
});
