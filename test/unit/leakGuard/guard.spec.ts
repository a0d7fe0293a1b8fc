import { Signal } from '@lumino/signaling';
import { Notification } from '@jupyterlab/apputils';
import type { INotebookTracker } from '@jupyterlab/notebook';
import type { Contents } from '@jupyterlab/services';
import type { IKernelWriteResult } from '../../../src/kernel/environment';
import { installLeakGuard } from '../../../src/leakGuard/guard';
import { DEFAULT_SETTINGS, IGitHubTokenSettings } from '../../../src/settings';
import { clearTokenConsents } from '../../../src/token/consent';
import * as actions from '../../../src/leakGuard/actions';
import { crc32, toBase62 } from '../../../src/token/checksum';
import { notebookWithPassword } from '../support/testing';
import { trans } from '../support/trans';

jest.mock('../../../src/leakGuard/actions', () => require('../support/leakGuardActions').mockActions());

const TOKEN = 'ghp_' + 'A1b2C3d4'.repeat(4) + 'wxyz';
const askBeforeSave = actions.askBeforeSave as jest.Mock;
const applyFix = actions.applyFix as jest.Mock;
const warnOnOpen = actions.warnOnOpen as jest.Mock;
const guardFileSave = actions.guardFileSave as jest.Mock;
const replaceCheckpoint = actions.replaceCheckpoint as jest.Mock;
const notifyWarning = jest.spyOn(Notification, 'warning').mockImplementation(() => '');

function setup(settings: Partial<IGitHubTokenSettings> = {}, recordKernel?: (result: IKernelWriteResult) => void) {
  /** What the guard put into open editors, in order. */
  const openTexts: Array<[string, string]> = [];
  const saved: Array<{ path: string; options: any }> = [];
  /** Every contents call, in order: 'save PATH', 'createCheckpoint PATH', … */
  const calls: string[] = [];
  const contents = {
    save: jest.fn(async (path: string, options: any) => {
      saved.push({ path, options });
      calls.push(`save ${path}`);
      return { path } as Contents.IModel;
    }),
    listCheckpoints: jest.fn(async (path: string) => {
      calls.push(`listCheckpoints ${path}`);
      return [{ id: 'checkpoint', last_modified: '' }];
    }),
    createCheckpoint: jest.fn(async (path: string) => {
      calls.push(`createCheckpoint ${path}`);
      return { id: 'checkpoint', last_modified: '' };
    }),
    deleteCheckpoint: jest.fn(async (path: string) => {
      calls.push(`deleteCheckpoint ${path}`);
    }),
    delete: jest.fn(async (path: string) => {
      calls.push(`delete ${path}`);
    })
  };
  let current = notebookWithPassword('');
  const model = { toJSON: () => current };
  const context = { path: 'a.ipynb', model, ready: Promise.resolve(), saveState: new Signal<any, string>({}) };
  const panel = { context, isDisposed: false, disposed: new Signal<any, void>({}) };
  const widgetAdded = new Signal<unknown, any>({});
  const notebooks = {
    find: (fn: (p: any) => boolean) => (fn(panel) ? panel : undefined),
    widgetAdded
  } as unknown as INotebookTracker;
  // The real checkpoint replacement, against these fake contents.
  replaceCheckpoint.mockImplementation(jest.requireActual('../../../src/leakGuard/actions').replaceCheckpoint);
  const remove = installLeakGuard({
    contents: contents as unknown as Contents.IManager,
    notebooks,
    trans,
    settings: () => ({ ...DEFAULT_SETTINGS, ...settings }),
    setOpenText: (path, text) => openTexts.push([path, text]),
    recordKernel
  });
  return {
    openTexts,
    contents: contents as unknown as Contents.IManager,
    fakeContents: contents,
    calls,
    saved,
    panel,
    widgetAdded,
    remove,
    setModel: (content: any) => {
      current = content;
    }
  };
}

beforeEach(() => {
  jest.resetAllMocks();
  clearTokenConsents();
});

describe('leak guard on save', () => {
  it('lets a clean notebook and other files through untouched', async () => {
    const { contents, saved } = setup();
    await contents.save('a.ipynb', { type: 'notebook', content: notebookWithPassword('x = 1') });
    await contents.save('b.txt', { type: 'file', content: `token = ${TOKEN}` });
    expect(saved).toHaveLength(2);
    expect(saved[1].options.content).toContain(TOKEN);
    expect(askBeforeSave).not.toHaveBeenCalled();
  });

  it('always removes the token from saved widget state, without asking (even with the guard off)', async () => {
    for (const leakGuard of [true, false]) {
      const { contents, saved } = setup({ leakGuard });
      const content = notebookWithPassword('x = 1', TOKEN);
      await contents.save('a.ipynb', { type: 'notebook', content });
      expect(JSON.stringify(saved[0].options.content)).not.toContain(TOKEN);
      expect(
        saved[0].options.content.metadata.widgets['application/vnd.jupyter.widget-state+json'].state.abc.state.value
      ).toBe('');
      expect(content.metadata.widgets['application/vnd.jupyter.widget-state+json'].state.abc.state.value).toBe(TOKEN);
      expect(askBeforeSave).not.toHaveBeenCalled();
    }
  });

  it('Cancel: nothing is saved, and JupyterLab is told the save was cancelled', async () => {
    const { contents, saved } = setup();
    askBeforeSave.mockResolvedValueOnce('cancel');
    await expect(
      contents.save('a.ipynb', { type: 'notebook', content: notebookWithPassword(`t = "${TOKEN}"`) })
    ).rejects.toMatchObject({
      name: 'ModalCancelError'
    });
    expect(saved).toHaveLength(0);
    expect(askBeforeSave.mock.calls[0][0]).toBe('a.ipynb');
    expect(askBeforeSave.mock.calls[0][1]).toEqual([
      expect.objectContaining({ place: 'source', cellIndex: 0, token: TOKEN })
    ]);
  });

  it('a fix is applied to the open notebook, and what it then holds is saved once clean', async () => {
    const { contents, saved, setModel } = setup();
    askBeforeSave.mockResolvedValueOnce('replace');
    applyFix.mockImplementationOnce(async () =>
      setModel(notebookWithPassword('t = os.environ.get("GITHUB_TOKEN", "")', TOKEN))
    );
    await contents.save('a.ipynb', { type: 'notebook', content: notebookWithPassword(`t = "${TOKEN}"`) });
    expect(applyFix).toHaveBeenCalledWith(
      'replace',
      expect.anything(),
      expect.anything(),
      expect.anything(),
      expect.anything(),
      'if-unset',
      undefined
    );
    expect(saved).toHaveLength(1);
    expect(JSON.stringify(saved[0].options.content)).not.toContain(TOKEN);
    expect(saved[0].options.content.cells[0].source).toContain('os.environ.get');
  });

  it("the fix gets the guard's recordKernel, so that a kernel given the token is recorded as a holder", async () => {
    const recordKernel = jest.fn();
    const { contents, setModel } = setup({}, recordKernel);
    askBeforeSave.mockResolvedValueOnce('replace');
    const result: IKernelWriteResult = { ok: true, message: 'set', variables: ['GITHUB_TOKEN'], kernelId: 'k1' };
    applyFix.mockImplementationOnce(async (...args: unknown[]) => {
      setModel(notebookWithPassword('t = os.environ.get("GITHUB_TOKEN", "")'));
      (args[6] as (r: IKernelWriteResult) => void)(result);
    });
    await contents.save('a.ipynb', { type: 'notebook', content: notebookWithPassword(`t = "${TOKEN}"`) });
    expect(applyFix.mock.calls[0][6]).toBe(recordKernel);
    expect(recordKernel).toHaveBeenCalledWith(result);
  });

  it('asks again while the fix left a token, until the user decides', async () => {
    const { contents, saved, setModel } = setup();
    setModel(notebookWithPassword(`t = "${TOKEN}"`));
    askBeforeSave.mockResolvedValueOnce('clear-outputs').mockResolvedValueOnce('cancel');
    await expect(
      contents.save('a.ipynb', { type: 'notebook', content: notebookWithPassword(`t = "${TOKEN}"`) })
    ).rejects.toMatchObject({
      name: 'ModalCancelError'
    });
    expect(askBeforeSave).toHaveBeenCalledTimes(2);
    expect(saved).toHaveLength(0);
  });

  it('a fix that removed nothing (a split or encoded token) is not offered again; one that made progress is', async () => {
    const { contents, setModel } = setup();
    // A checksum-valid token: only those are recognised when split.
    const random = 'K7pQ2xW9mZ4tR8vB1nC6yH3jL5sD0f';
    const valid = `ghp_${random}${toBase62(crc32(random), 6)}`;
    const split = notebookWithPassword(`a = "${valid.slice(0, 20)}" "${valid.slice(20)}"`);
    setModel(split);
    askBeforeSave.mockResolvedValueOnce('replace').mockResolvedValueOnce('cancel');
    await expect(contents.save('a.ipynb', { type: 'notebook', content: split })).rejects.toMatchObject({
      name: 'ModalCancelError'
    });
    expect(askBeforeSave.mock.calls[0][5]).toEqual(new Set());
    expect(askBeforeSave.mock.calls[1][5]).toEqual(new Set(['replace']));

    // Two tokens, the fix removes one: it stays on offer for the other.
    const T2 = 'ghp_' + 'Z9y8X7w6'.repeat(4) + 'abcd';
    setModel(notebookWithPassword(`t = "${TOKEN}"`));
    askBeforeSave.mockReset().mockResolvedValueOnce('replace').mockResolvedValueOnce('cancel');
    await expect(
      contents.save('a.ipynb', { type: 'notebook', content: notebookWithPassword(`t = "${TOKEN}"; u = "${T2}"`) })
    ).rejects.toMatchObject({
      name: 'ModalCancelError'
    });
    expect(askBeforeSave.mock.calls[1][5]).toEqual(new Set());
  });

  it('Save anyway saves as is and does not ask again for that token in that notebook', async () => {
    const { contents, saved } = setup();
    askBeforeSave.mockResolvedValueOnce('save');
    const content = notebookWithPassword(`t = "${TOKEN}"`);
    await contents.save('a.ipynb', { type: 'notebook', content });
    await contents.save('a.ipynb', { type: 'notebook', content });
    expect(askBeforeSave).toHaveBeenCalledTimes(1);
    expect(saved).toHaveLength(2);
    expect(JSON.stringify(saved[1].options.content)).toContain(TOKEN);
    // Another notebook is asked about.
    askBeforeSave.mockResolvedValueOnce('cancel');
    await expect(contents.save('b.ipynb', { type: 'notebook', content })).rejects.toThrow();
  });

  it('saves arriving while the user is asked share the answer (one dialog)', async () => {
    const { contents, saved } = setup();
    let answer!: (choice: string) => void;
    askBeforeSave.mockReturnValueOnce(new Promise(resolve => (answer = resolve)));
    const content = notebookWithPassword(`t = "${TOKEN}"`);
    const first = contents.save('a.ipynb', { type: 'notebook', content });
    await new Promise(resolve => setTimeout(resolve, 0));
    const second = contents.save('a.ipynb', { type: 'notebook', content });
    answer('save');
    await Promise.all([first, second]);
    expect(askBeforeSave).toHaveBeenCalledTimes(1);
    expect(saved).toHaveLength(1);
  });

  it('with the guard off, saves a token without asking', async () => {
    const { contents, saved } = setup({ leakGuard: false });
    await contents.save('a.ipynb', { type: 'notebook', content: notebookWithPassword(`t = "${TOKEN}"`) });
    expect(saved).toHaveLength(1);
    expect(askBeforeSave).not.toHaveBeenCalled();
  });

  it('removing the guard restores the original save', async () => {
    const { contents, saved, remove } = setup();
    remove();
    await contents.save('a.ipynb', { type: 'notebook', content: notebookWithPassword(`t = "${TOKEN}"`) });
    expect(saved).toHaveLength(1);
    expect(askBeforeSave).not.toHaveBeenCalled();
  });
});

describe('leak guard on open', () => {
  it('warns when an opened notebook holds a token, not otherwise, not with the guard off', async () => {
    const clean = setup();
    clean.widgetAdded.emit(clean.panel);
    await new Promise(resolve => setTimeout(resolve, 0));
    expect(warnOnOpen).not.toHaveBeenCalled();

    clean.setModel(notebookWithPassword(`t = "${TOKEN}"`));
    clean.widgetAdded.emit(clean.panel);
    await new Promise(resolve => setTimeout(resolve, 0));
    expect(warnOnOpen).toHaveBeenCalledTimes(1);
    expect(warnOnOpen.mock.calls[0][1]).toEqual([expect.objectContaining({ token: TOKEN })]);
    clean.remove();

    const off = setup({ leakGuard: false });
    off.setModel(notebookWithPassword(`t = "${TOKEN}"`));
    off.widgetAdded.emit(off.panel);
    await new Promise(resolve => setTimeout(resolve, 0));
    expect(warnOnOpen).toHaveBeenCalledTimes(1);
  });
});

const tick = () => new Promise(resolve => setTimeout(resolve, 0));

describe('leak guard and checkpoints', () => {
  it('after "Remove from notebook" on open, the next save replaces the checkpoint that still holds the token, once', async () => {
    const { contents, calls, panel, widgetAdded, setModel } = setup();
    setModel(notebookWithPassword(`t = "${TOKEN}"`));
    warnOnOpen.mockResolvedValueOnce('removed');
    widgetAdded.emit(panel);
    await tick();
    await tick();
    expect(warnOnOpen).toHaveBeenCalledTimes(1);
    await contents.save('a.ipynb', {
      type: 'notebook',
      content: notebookWithPassword('t = os.environ.get("GITHUB_TOKEN", "")')
    });
    expect(calls).toEqual(['save a.ipynb', 'listCheckpoints a.ipynb', 'createCheckpoint a.ipynb']);
    await contents.save('a.ipynb', { type: 'notebook', content: notebookWithPassword('x = 2') });
    expect(calls.filter(c => c.startsWith('createCheckpoint'))).toHaveLength(1);
  });

  it('"Keep for now" on open leaves the checkpoint alone', async () => {
    const { contents, calls, panel, widgetAdded, setModel } = setup();
    setModel(notebookWithPassword(`t = "${TOKEN}"`));
    warnOnOpen.mockResolvedValueOnce('kept');
    widgetAdded.emit(panel);
    await tick();
    await tick();
    await contents.save('a.ipynb', { type: 'notebook', content: notebookWithPassword('x = 1') });
    expect(calls).toEqual(['save a.ipynb']);
  });

  it('a fix at save time replaces the checkpoint when the token was on disk (an earlier Save anyway), and says so', async () => {
    const { contents, calls, fakeContents, setModel } = setup();
    fakeContents.listCheckpoints.mockImplementationOnce(async (path: string) => {
      calls.push(`listCheckpoints ${path}`);
      return [{ id: 'older', last_modified: '' }];
    });
    askBeforeSave.mockResolvedValueOnce('save');
    await contents.save('a.ipynb', { type: 'notebook', content: notebookWithPassword(`t = "${TOKEN}"`) });
    expect(askBeforeSave.mock.calls[0][4]).toBe(false);
    // As after Forget: the consent is gone, the token is still on disk.
    clearTokenConsents();
    askBeforeSave.mockResolvedValueOnce('replace');
    applyFix.mockImplementationOnce(async () =>
      setModel(notebookWithPassword('t = os.environ.get("GITHUB_TOKEN", "")'))
    );
    await contents.save('a.ipynb', { type: 'notebook', content: notebookWithPassword(`t = "${TOKEN}"`) });
    expect(askBeforeSave.mock.calls[1][4]).toBe(true);
    expect(calls).toEqual([
      'save a.ipynb',
      'save a.ipynb',
      'listCheckpoints a.ipynb',
      'createCheckpoint a.ipynb',
      'deleteCheckpoint a.ipynb'
    ]);
    expect(fakeContents.deleteCheckpoint).toHaveBeenCalledWith('a.ipynb', 'older');
  });

  it('a fix of a token that never reached the disk does not touch the checkpoint', async () => {
    const { contents, calls, setModel } = setup();
    askBeforeSave.mockResolvedValueOnce('clear-outputs');
    applyFix.mockImplementationOnce(async () => setModel(notebookWithPassword('x = 1')));
    await contents.save('a.ipynb', { type: 'notebook', content: notebookWithPassword(`t = "${TOKEN}"`) });
    expect(calls).toEqual(['save a.ipynb']);
  });

  it('a checkpoint that cannot be replaced does not fail the save, and the user is told', async () => {
    const { contents, fakeContents, panel, widgetAdded, setModel, saved } = setup();
    fakeContents.createCheckpoint.mockRejectedValueOnce(new Error('403'));
    setModel(notebookWithPassword(`t = "${TOKEN}"`));
    warnOnOpen.mockResolvedValueOnce('removed');
    widgetAdded.emit(panel);
    await tick();
    await tick();
    await contents.save('a.ipynb', { type: 'notebook', content: notebookWithPassword('x = 1') });
    expect(saved).toHaveLength(1);
    expect(notifyWarning).toHaveBeenCalledWith(
      expect.stringContaining('checkpoint (.ipynb_checkpoints) could not be replaced'),
      expect.anything()
    );
  });
});

describe('leak guard on Save As', () => {
  it('finds the notebook being saved under its new path and offers the fixes', async () => {
    const { contents, saved, panel, widgetAdded, setModel } = setup();
    widgetAdded.emit(panel);
    await tick();
    const leaky = notebookWithPassword(`t = "${TOKEN}"`);
    setModel(leaky);
    panel.context.saveState.emit('started');
    askBeforeSave.mockResolvedValueOnce('replace');
    applyFix.mockImplementationOnce(async () =>
      setModel(notebookWithPassword('t = os.environ.get("GITHUB_TOKEN", "")'))
    );
    await contents.save('copy.ipynb', { type: 'notebook', content: notebookWithPassword(`t = "${TOKEN}"`) });
    expect(askBeforeSave.mock.calls[0][0]).toBe('copy.ipynb');
    expect(askBeforeSave.mock.calls[0][2]).toBe(true);
    expect(applyFix.mock.calls[0][1]).toBe(panel.context.model);
    expect(saved.map(s => s.path)).toEqual(['copy.ipynb']);
    expect(JSON.stringify(saved[0].options.content)).not.toContain(TOKEN);
  });

  it('does not take a panel whose save has ended, or whose cells differ', async () => {
    const { contents, panel, widgetAdded, setModel } = setup();
    widgetAdded.emit(panel);
    await tick();
    setModel(notebookWithPassword(`t = "${TOKEN}"`));
    panel.context.saveState.emit('started');
    panel.context.saveState.emit('completed');
    askBeforeSave.mockResolvedValue('cancel');
    await expect(
      contents.save('copy.ipynb', { type: 'notebook', content: notebookWithPassword(`t = "${TOKEN}"`) })
    ).rejects.toThrow();
    expect(askBeforeSave.mock.calls[0][2]).toBe(false);
    panel.context.saveState.emit('started');
    await expect(
      contents.save('other.ipynb', { type: 'notebook', content: notebookWithPassword(`u = "${TOKEN}"`) })
    ).rejects.toThrow();
    expect(askBeforeSave.mock.calls[1][2]).toBe(false);
  });
});

describe('leak guard on file saves', () => {
  const fileSave = (content: string, extra: Partial<Contents.IModel> = {}) =>
    ({ type: 'file', format: 'text', content, ...extra }) as Partial<Contents.IModel>;

  it('a text file holding a token goes to the file guard, and what it returns is saved', async () => {
    const { contents, saved } = setup();
    guardFileSave.mockImplementationOnce(async (request: any) => ({
      options: { ...request.options, content: 'token = <GitHub token removed>' },
      holdsToken: false,
      fixed: true
    }));
    await contents.save('script.py', fileSave(`token = ${TOKEN}`));
    expect(guardFileSave).toHaveBeenCalledTimes(1);
    expect(guardFileSave.mock.calls[0][0]).toMatchObject({
      path: 'script.py',
      text: `token = ${TOKEN}`,
      ask: true,
      onDisk: false
    });
    expect(saved).toHaveLength(1);
    expect(saved[0].options.content).toBe('token = <GitHub token removed>');
  });

  it('after Remove token, the open editor shows what was saved; not when the user saved as is', async () => {
    const { contents, openTexts } = setup();
    guardFileSave.mockImplementationOnce(async (request: any) => ({
      options: { ...request.options, content: 'token = <GitHub token removed>' },
      holdsToken: false,
      fixed: true
    }));
    await contents.save('script.py', fileSave(`token = ${TOKEN}`));
    expect(openTexts).toEqual([['script.py', 'token = <GitHub token removed>']]);
    guardFileSave.mockImplementationOnce(async (request: any) => ({
      options: request.options,
      holdsToken: true,
      fixed: false
    }));
    await contents.save('other.py', fileSave(`token = ${TOKEN}`));
    expect(openTexts).toHaveLength(1);
  });

  it('a notebook saved from the text editor and a base64 upload are scanned (the upload decoded)', async () => {
    const { contents } = setup();
    guardFileSave.mockResolvedValue('cancel');
    const json = JSON.stringify(notebookWithPassword(`t = "${TOKEN}"`));
    await expect(contents.save('a.ipynb', fileSave(json))).rejects.toMatchObject({
      name: 'ModalCancelError',
      message: 'Cancel'
    });
    await expect(contents.save('up.ipynb', fileSave(btoa(json), { format: 'base64' }))).rejects.toMatchObject({
      name: 'ModalCancelError'
    });
    expect(guardFileSave.mock.calls[1][0].text).toBe(json);
  });

  it('Cancel in an upload: nothing is written, a chunked upload loses its first chunks, the message names no token', async () => {
    const { contents, saved, calls } = setup();
    guardFileSave.mockResolvedValue('cancel');
    await contents.save('big.txt', fileSave(btoa('clean part'), { format: 'base64', chunk: 1 }));
    const error = await contents
      .save('big.txt', fileSave(btoa(`x ${TOKEN}`), { format: 'base64', chunk: -1 }))
      .catch(e => e);
    expect(error.name).toBe('ModalCancelError');
    expect(error.message).toContain('big.txt');
    expect(error.message).not.toContain(TOKEN.slice(4, 20));
    expect(saved).toHaveLength(1);
    expect(calls).toEqual(['save big.txt', 'delete big.txt']);
    // A cancelled first chunk wrote nothing: nothing to delete.
    await expect(
      contents.save('c.txt', fileSave(btoa(`x ${TOKEN}`), { format: 'base64', chunk: 1 }))
    ).rejects.toThrow();
    expect(calls).toEqual(['save big.txt', 'delete big.txt']);
  });

  it('clean files, files without a format and other types pass through without loading the dialogs', async () => {
    const { contents, saved } = setup();
    await contents.save('a.py', fileSave('x = 1'));
    await contents.save('a.bin', fileSave(btoa('\u0000\u0001'), { format: 'base64' }));
    await contents.save('b.txt', { type: 'file', content: `token = ${TOKEN}` });
    await contents.save('d', { type: 'directory' });
    expect(saved).toHaveLength(4);
    expect(guardFileSave).not.toHaveBeenCalled();
  });

  it('with the guard off, text files are not scanned, a notebook file still is (for its widget state), without asking', async () => {
    const { contents, saved } = setup({ leakGuard: false });
    guardFileSave.mockImplementation(async (request: any) => ({
      options: request.options,
      holdsToken: true,
      fixed: false
    }));
    await contents.save('a.py', fileSave(`t = "${TOKEN}"`));
    expect(guardFileSave).not.toHaveBeenCalled();
    await contents.save('a.ipynb', fileSave(JSON.stringify(notebookWithPassword('x = 1', TOKEN))));
    expect(guardFileSave).toHaveBeenCalledTimes(1);
    expect(guardFileSave.mock.calls[0][0].ask).toBe(false);
    expect(saved).toHaveLength(2);
  });
});
