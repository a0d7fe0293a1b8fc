import { Signal } from '@lumino/signaling';
import type { INotebookTracker } from '@jupyterlab/notebook';
import type { Contents } from '@jupyterlab/services';
import { installLeakGuard } from '../../src/leakGuard';
import { DEFAULT_SETTINGS, IGitHubTokenSettings } from '../../src/settings';
import { clearTokenConsents } from '../../src/tokenConsent';
import * as actions from '../../src/leakGuardActions';
import { defaultTrans } from '../../src/i18n';

jest.mock('../../src/leakGuardActions', () => ({
  askBeforeSave: jest.fn(),
  applyFix: jest.fn(),
  warnOnOpen: jest.fn()
}));

const TOKEN = 'ghp_' + 'A1b2C3d4'.repeat(4) + 'wxyz';
const askBeforeSave = actions.askBeforeSave as jest.Mock;
const applyFix = actions.applyFix as jest.Mock;
const warnOnOpen = actions.warnOnOpen as jest.Mock;

function notebookContent(source: string, widgetValue = ''): any {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      widgets: {
        'application/vnd.jupyter.widget-state+json': {
          version_major: 2,
          version_minor: 0,
          state: { abc: { model_name: 'PasswordModel', state: { description: 'Token', value: widgetValue } } }
        }
      }
    },
    cells: [{ cell_type: 'code', id: 'c1', metadata: {}, execution_count: null, outputs: [], source }]
  };
}

function setup(settings: Partial<IGitHubTokenSettings> = {}) {
  const saved: Array<{ path: string; options: any }> = [];
  const contents = {
    save: jest.fn(async function (this: unknown, path: string, options: any) {
      saved.push({ path, options });
      return { path } as Contents.IModel;
    })
  };
  let current = notebookContent('');
  const model = { toJSON: () => current };
  const panel = { context: { path: 'a.ipynb', model, ready: Promise.resolve() }, isDisposed: false };
  const widgetAdded = new Signal<unknown, any>({});
  const notebooks = {
    find: (fn: (p: any) => boolean) => (fn(panel) ? panel : undefined),
    widgetAdded
  } as unknown as INotebookTracker;
  const remove = installLeakGuard({
    contents: contents as unknown as Contents.IManager,
    notebooks,
    trans: defaultTrans as any,
    settings: () => ({ ...DEFAULT_SETTINGS, ...settings })
  });
  return {
    contents: contents as unknown as Contents.IManager,
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
    await contents.save('a.ipynb', { type: 'notebook', content: notebookContent('x = 1') });
    await contents.save('b.txt', { type: 'file', content: `token = ${TOKEN}` });
    expect(saved).toHaveLength(2);
    expect(saved[1].options.content).toContain(TOKEN);
    expect(askBeforeSave).not.toHaveBeenCalled();
  });

  it('always removes the token from saved widget state, without asking (even with the guard off)', async () => {
    for (const leakGuard of [true, false]) {
      const { contents, saved } = setup({ leakGuard });
      const content = notebookContent('x = 1', TOKEN);
      await contents.save('a.ipynb', { type: 'notebook', content });
      expect(JSON.stringify(saved[0].options.content)).not.toContain(TOKEN);
      expect(saved[0].options.content.metadata.widgets['application/vnd.jupyter.widget-state+json'].state.abc.state.value).toBe('');
      expect(content.metadata.widgets['application/vnd.jupyter.widget-state+json'].state.abc.state.value).toBe(TOKEN);
      expect(askBeforeSave).not.toHaveBeenCalled();
    }
  });

  it('Cancel: nothing is saved, and JupyterLab is told the save was cancelled', async () => {
    const { contents, saved } = setup();
    askBeforeSave.mockResolvedValueOnce('cancel');
    await expect(contents.save('a.ipynb', { type: 'notebook', content: notebookContent(`t = "${TOKEN}"`) })).rejects.toMatchObject({
      name: 'ModalCancelError'
    });
    expect(saved).toHaveLength(0);
    expect(askBeforeSave.mock.calls[0][0]).toBe('a.ipynb');
    expect(askBeforeSave.mock.calls[0][1]).toEqual([expect.objectContaining({ place: 'source', cellIndex: 0, token: TOKEN })]);
  });

  it('a fix is applied to the open notebook, and what it then holds is saved once clean', async () => {
    const { contents, saved, setModel } = setup();
    askBeforeSave.mockResolvedValueOnce('replace');
    applyFix.mockImplementationOnce(async () => setModel(notebookContent('t = os.environ.get("GITHUB_TOKEN", "")', TOKEN)));
    await contents.save('a.ipynb', { type: 'notebook', content: notebookContent(`t = "${TOKEN}"`) });
    expect(applyFix).toHaveBeenCalledWith('replace', expect.anything(), expect.anything(), expect.anything(), expect.anything());
    expect(saved).toHaveLength(1);
    expect(JSON.stringify(saved[0].options.content)).not.toContain(TOKEN);
    expect(saved[0].options.content.cells[0].source).toContain('os.environ.get');
  });

  it('asks again while the fix left a token, until the user decides', async () => {
    const { contents, saved, setModel } = setup();
    setModel(notebookContent(`t = "${TOKEN}"`));
    askBeforeSave.mockResolvedValueOnce('clear-outputs').mockResolvedValueOnce('cancel');
    await expect(contents.save('a.ipynb', { type: 'notebook', content: notebookContent(`t = "${TOKEN}"`) })).rejects.toMatchObject({
      name: 'ModalCancelError'
    });
    expect(askBeforeSave).toHaveBeenCalledTimes(2);
    expect(saved).toHaveLength(0);
  });

  it('Save anyway saves as is and does not ask again for that token in that notebook', async () => {
    const { contents, saved } = setup();
    askBeforeSave.mockResolvedValueOnce('save');
    const content = notebookContent(`t = "${TOKEN}"`);
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
    const content = notebookContent(`t = "${TOKEN}"`);
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
    await contents.save('a.ipynb', { type: 'notebook', content: notebookContent(`t = "${TOKEN}"`) });
    expect(saved).toHaveLength(1);
    expect(askBeforeSave).not.toHaveBeenCalled();
  });

  it('removing the guard restores the original save', async () => {
    const { contents, saved, remove } = setup();
    remove();
    await contents.save('a.ipynb', { type: 'notebook', content: notebookContent(`t = "${TOKEN}"`) });
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

    clean.setModel(notebookContent(`t = "${TOKEN}"`));
    clean.widgetAdded.emit(clean.panel);
    await new Promise(resolve => setTimeout(resolve, 0));
    expect(warnOnOpen).toHaveBeenCalledTimes(1);
    expect(warnOnOpen.mock.calls[0][1]).toEqual([expect.objectContaining({ token: TOKEN })]);
    clean.remove();

    const off = setup({ leakGuard: false });
    off.setModel(notebookContent(`t = "${TOKEN}"`));
    off.widgetAdded.emit(off.panel);
    await new Promise(resolve => setTimeout(resolve, 0));
    expect(warnOnOpen).toHaveBeenCalledTimes(1);
  });
});
