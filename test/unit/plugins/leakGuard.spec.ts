/**
 * The leak guard plugin, activated against small fakes of what it requires:
 * it loads none of the panel's code, and it follows the panel plugin's
 * `leakGuard` setting, read through the guard's `settings()` seam on every
 * save.
 */
import type { JupyterFrontEnd } from '@jupyterlab/application';
import type { INotebookTracker } from '@jupyterlab/notebook';
import type { Contents } from '@jupyterlab/services';
import type { ISettingRegistry } from '@jupyterlab/settingregistry';
import { nullTranslator } from '@jupyterlab/translation';
import { Signal } from '@lumino/signaling';
import * as actions from '../../../src/leakGuard/actions';
import type { IKernelWriteResult } from '../../../src/kernel/environment';
import { leakGuardPlugin } from '../../../src/plugins/leakGuard';
import type { IGitHubTokenFlow, IGitHubTokenModel } from '../../../src/tokens';
import { clearTokenConsents } from '../../../src/token/consent';
import { notebookWithPassword } from '../support/testing';

/**
 * How often each watched module was loaded: their mocks count, on a global,
 * as they run before this file's own code (the imports above).
 */
const loads = (name: string): number => (globalThis as { loads?: Record<string, number> }).loads?.[name] ?? 0;

jest.mock('../../../src/token/scan', () => {
  const counted = globalThis as { loads?: Record<string, number> };
  counted.loads = { ...counted.loads, scan: (counted.loads?.scan ?? 0) + 1 };
  return jest.requireActual('../../../src/token/scan');
});
jest.mock('../../../src/model/tokenModel', () => {
  const counted = globalThis as { loads?: Record<string, number> };
  counted.loads = { ...counted.loads, model: (counted.loads?.model ?? 0) + 1 };
  return jest.requireActual('../../../src/model/tokenModel');
});
jest.mock('../../../src/panel/sidebar', () => {
  const counted = globalThis as { loads?: Record<string, number> };
  counted.loads = { ...counted.loads, sidebar: (counted.loads?.sidebar ?? 0) + 1 };
  return jest.requireActual('../../../src/panel/sidebar');
});

jest.mock('../../../src/leakGuard/actions', () => require('../support/leakGuardActions').mockActions());

const TOKEN = 'ghp_' + 'A1b2C3d4'.repeat(4) + 'wxyz';
const askBeforeSave = actions.askBeforeSave as jest.Mock;
const applyFix = actions.applyFix as jest.Mock;
const guardFileSave = actions.guardFileSave as jest.Mock;
const tick = () => new Promise(resolve => setTimeout(resolve, 0));

/** Settings as the registry hands them out: the composite follows every change. */
function fakeSettings(composite: Record<string, unknown>) {
  return { composite, changed: new Signal<unknown, void>({}) };
}

/**
 * Activate the plugin. `registry`: the settings the registry loads, a
 * promise for them (pending, failing), or null for no registry.
 */
function activate(
  registry: ReturnType<typeof fakeSettings> | Promise<unknown> | null,
  flow: IGitHubTokenFlow | null = null
) {
  const saved: Array<{ path: string; options: any }> = [];
  const contents = {
    save: jest.fn(async (path: string, options: any) => {
      saved.push({ path, options });
      return { path } as Contents.IModel;
    })
  };
  /** Open notebooks: a fix ("Replace with environment read") applies to one of these. */
  const open: any[] = [];
  const notebooks = {
    find: (fn: (panel: any) => boolean) => open.find(fn),
    widgetAdded: new Signal<unknown, any>({})
  };
  const editors: Array<{ context: { path: string; model: { sharedModel: { setSource: jest.Mock } } } }> = [];
  const app = {
    serviceManager: { contents },
    shell: { widgets: (area: string) => (area === 'main' ? editors : [])[Symbol.iterator]() }
  } as unknown as JupyterFrontEnd;
  const load = jest.fn(() => (registry instanceof Promise ? registry : Promise.resolve(registry)));
  leakGuardPlugin.activate(
    app,
    nullTranslator,
    notebooks as unknown as INotebookTracker,
    registry === null ? null : ({ load } as unknown as ISettingRegistry),
    flow
  );
  return { contents: contents as unknown as Contents.IManager, saved, notebooks, open, editors, load };
}

/** Save a notebook holding a token in a cell. */
const saveNotebook = (contents: Contents.IManager) =>
  contents.save('a.ipynb', { type: 'notebook', content: notebookWithPassword(`t = "${TOKEN}"`) });

beforeEach(() => {
  jest.resetAllMocks();
  clearTokenConsents();
  askBeforeSave.mockResolvedValue('cancel');
});

describe('leak guard plugin', () => {
  // First in this file: nothing before it loaded the scanner.
  it("loads neither the token scanner nor the panel's code at activation, and reads the panel's settings", async () => {
    const { load } = activate(fakeSettings({ leakGuard: true }));
    await tick();
    expect(load).toHaveBeenCalledWith('jupyterlab-github-token:plugin');
    expect(loads('scan')).toBe(0);
    expect(loads('model')).toBe(0);
    expect(loads('sidebar')).toBe(0);
  });

  it('leakGuard: false, a save is not intercepted', async () => {
    const { contents, saved } = activate(fakeSettings({ leakGuard: false }));
    await tick();
    await saveNotebook(contents);
    expect(askBeforeSave).not.toHaveBeenCalled();
    expect(saved).toHaveLength(1);
    expect(JSON.stringify(saved[0].options.content)).toContain(TOKEN);
  });

  it('leakGuard: true, a save is intercepted: the user is asked, and Cancel writes nothing', async () => {
    const { contents, saved } = activate(fakeSettings({ leakGuard: true }));
    await tick();
    await expect(saveNotebook(contents)).rejects.toMatchObject({ name: 'ModalCancelError' });
    expect(askBeforeSave).toHaveBeenCalledTimes(1);
    expect(saved).toHaveLength(0);
  });

  it('follows a change of the setting without reloading', async () => {
    const settings = fakeSettings({ leakGuard: false });
    const { contents, saved } = activate(settings);
    await tick();
    await saveNotebook(contents);
    expect(saved).toHaveLength(1);
    settings.composite.leakGuard = true;
    settings.changed.emit();
    await expect(saveNotebook(contents)).rejects.toMatchObject({ name: 'ModalCancelError' });
    expect(askBeforeSave).toHaveBeenCalledTimes(1);
    expect(saved).toHaveLength(1);
  });

  it('guards with the defaults before the settings loaded, without a registry, and when loading fails', async () => {
    const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const registries = [() => new Promise(() => undefined), () => null, () => Promise.reject(new Error('no settings'))];
    for (const registry of registries) {
      const { contents, saved } = activate(registry());
      await tick();
      await expect(saveNotebook(contents)).rejects.toMatchObject({ name: 'ModalCancelError' });
      expect(saved).toHaveLength(0);
    }
    expect(askBeforeSave).toHaveBeenCalledTimes(3);
    expect(error).toHaveBeenCalledTimes(1);
    error.mockRestore();
  });

  it('puts the fixed text into the open editor of the saved file', async () => {
    const { contents, saved, editors } = activate(fakeSettings({ leakGuard: true }));
    const editor = { context: { path: 'b.py', model: { sharedModel: { setSource: jest.fn() } } } };
    const other = { context: { path: 'c.py', model: { sharedModel: { setSource: jest.fn() } } } };
    editors.push(editor, other);
    await tick();
    const fixed = { type: 'file', format: 'text', content: 'token = os.environ["GITHUB_TOKEN"]' };
    guardFileSave.mockResolvedValueOnce({ options: fixed, fixed: true, holdsToken: false });
    await contents.save('b.py', { type: 'file', format: 'text', content: `token = "${TOKEN}"` });
    expect(guardFileSave).toHaveBeenCalledWith(expect.objectContaining({ path: 'b.py', ask: true }));
    expect(saved.map(s => s.options.content)).toEqual([fixed.content]);
    expect(editor.context.model.sharedModel.setSource).toHaveBeenCalledWith(fixed.content);
    expect(other.context.model.sharedModel.setSource).not.toHaveBeenCalled();
  });

  /** An open notebook at a.ipynb whose model holds `content` (a fix changes it). */
  function openNotebook(open: any[]) {
    let current = notebookWithPassword(`t = "${TOKEN}"`);
    const panel = {
      context: { path: 'a.ipynb', model: { toJSON: () => current } },
      isDisposed: false
    };
    open.push(panel);
    return {
      panel,
      clean: () => {
        current = notebookWithPassword('t = os.environ.get("GITHUB_TOKEN", "")');
      }
    };
  }

  /** "Replace with environment read": the fix gives a kernel the token, and reports it through its last argument. */
  function replaceGivesKernel(clean: () => void, result: IKernelWriteResult | null) {
    askBeforeSave.mockResolvedValueOnce('replace');
    applyFix.mockImplementationOnce(async (...args: unknown[]) => {
      clean();
      const record = args[6] as ((r: IKernelWriteResult) => void) | undefined;
      if (result) {
        record?.(result);
      }
    });
  }

  it('with the panel\'s flow, records the kernel that "Replace with environment read" gave the token', async () => {
    const recordDelivery = jest.fn();
    const model = jest.fn(async () => ({ recordDelivery }) as unknown as IGitHubTokenModel);
    const { contents, saved, open } = activate(fakeSettings({ leakGuard: true }), { model });
    await tick();
    expect(model).not.toHaveBeenCalled();
    const { clean } = openNotebook(open);
    const result: IKernelWriteResult = { ok: true, message: 'set', variables: ['GITHUB_TOKEN'], kernelId: 'k1' };
    replaceGivesKernel(clean, result);
    await saveNotebook(contents);
    await tick();
    expect(saved).toHaveLength(1);
    expect(model).toHaveBeenCalledTimes(1);
    expect(recordDelivery).toHaveBeenCalledWith(result);
  });

  it("with the flow, records nothing when the fix gave no kernel the token; the model's load is not forced", async () => {
    const recordDelivery = jest.fn();
    const model = jest.fn(async () => ({ recordDelivery }) as unknown as IGitHubTokenModel);
    const { contents, saved, open } = activate(fakeSettings({ leakGuard: true }), { model });
    await tick();
    const { clean } = openNotebook(open);
    replaceGivesKernel(clean, null);
    await saveNotebook(contents);
    await tick();
    expect(saved).toHaveLength(1);
    expect(model).not.toHaveBeenCalled();
    expect(recordDelivery).not.toHaveBeenCalled();
  });

  it('without the flow (panel plugin disabled), it activates and the fix still works, with nothing to record', async () => {
    const { contents, saved, open } = activate(fakeSettings({ leakGuard: true }), null);
    await tick();
    const { clean } = openNotebook(open);
    replaceGivesKernel(clean, { ok: true, message: 'set', variables: ['GITHUB_TOKEN'], kernelId: 'k1' });
    await saveNotebook(contents);
    expect(applyFix).toHaveBeenCalledTimes(1);
    expect(applyFix.mock.calls[0][6]).toBeUndefined();
    expect(saved).toHaveLength(1);
    expect(JSON.stringify(saved[0].options.content)).not.toContain(TOKEN);
  });

  it('a failing model load is reported on the console, never as a failed save', async () => {
    const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const model = jest.fn(() => Promise.reject(new Error('no panel chunk')));
    const { contents, saved, open } = activate(fakeSettings({ leakGuard: true }), { model });
    await tick();
    const { clean } = openNotebook(open);
    replaceGivesKernel(clean, { ok: true, message: 'set', variables: ['GITHUB_TOKEN'], kernelId: 'k1' });
    await saveNotebook(contents);
    await tick();
    expect(saved).toHaveLength(1);
    expect(error).toHaveBeenCalledWith(expect.stringContaining('could not record the kernel'), expect.anything());
    error.mockRestore();
  });
});
