/**
 * The leak guard's checks (with the token scanner) are not loaded at
 * start-up: opening a notebook preloads them, and a save waits for them, so
 * nothing is written unscanned, even when loading them fails.
 */
import { Signal } from '@lumino/signaling';
import type { INotebookTracker } from '@jupyterlab/notebook';
import type { Contents } from '@jupyterlab/services';
import { installLeakGuard } from '../../../src/leakGuard/guard';
import { DEFAULT_SETTINGS } from '../../../src/settings';
import { clearTokenConsents } from '../../../src/token/consent';
import * as actions from '../../../src/leakGuard/actions';
import { createLeakChecks } from '../../../src/leakGuard/checks';
import { notebookWithPassword } from '../support/testing';
import { trans } from '../support/trans';

/**
 * How often the token scanner's module was loaded: its mock counts, on a
 * global, as it runs before this file's own code (the imports above).
 */
const scannerLoads = (): number => (globalThis as { scannerLoads?: number }).scannerLoads ?? 0;

jest.mock('../../../src/token/scan', () => {
  const counted = globalThis as { scannerLoads?: number };
  counted.scannerLoads = (counted.scannerLoads ?? 0) + 1;
  return jest.requireActual('../../../src/token/scan');
});

// The real checks, created through a spy, loaded on first use as the guard does.
jest.mock('../../../src/leakGuard/checks', () => ({
  createLeakChecks: jest.fn((...args: unknown[]) =>
    jest.requireActual('../../../src/leakGuard/checks').createLeakChecks(...args)
  )
}));

jest.mock('../../../src/leakGuard/actions', () => require('../support/leakGuardActions').mockActions());

const TOKEN = 'ghp_' + 'A1b2C3d4'.repeat(4) + 'wxyz';
const askBeforeSave = actions.askBeforeSave as jest.Mock;
const warnOnOpen = actions.warnOnOpen as jest.Mock;
const created = createLeakChecks as jest.Mock;
const tick = () => new Promise(resolve => setTimeout(resolve, 0));

function setup() {
  const saved: Array<{ path: string; options: any }> = [];
  const contents = {
    save: jest.fn(async (path: string, options: any) => {
      saved.push({ path, options });
      return { path } as Contents.IModel;
    })
  };
  const model = { toJSON: () => notebookWithPassword(`t = "${TOKEN}"`) };
  const panel = {
    context: { path: 'a.ipynb', model, ready: Promise.resolve(), saveState: new Signal<any, string>({}) },
    isDisposed: false,
    disposed: new Signal<any, void>({})
  };
  const widgetAdded = new Signal<unknown, any>({});
  const notebooks = { find: () => undefined, widgetAdded } as unknown as INotebookTracker;
  const remove = installLeakGuard({
    contents: contents as unknown as Contents.IManager,
    notebooks,
    trans,
    settings: () => ({ ...DEFAULT_SETTINGS })
  });
  return { contents: contents as unknown as Contents.IManager, saved, panel, widgetAdded, remove };
}

beforeEach(() => {
  jest.clearAllMocks();
  clearTokenConsents();
});

describe('leak guard loading', () => {
  // First in this file: nothing before it loaded the scanner.
  it('loads no scanner at install, nor for a save that needs no scan', async () => {
    const { contents, saved, remove } = setup();
    await tick();
    await contents.save('d', { type: 'directory' });
    await contents.save('e.txt', { type: 'file', content: `token = ${TOKEN}` });
    expect(saved).toHaveLength(2);
    expect(scannerLoads()).toBe(0);
    expect(created).not.toHaveBeenCalled();
    remove();
  });

  it('opening a notebook preloads the checks once, and they look at what was opened', async () => {
    const { panel, widgetAdded, remove } = setup();
    widgetAdded.emit(panel);
    widgetAdded.emit(panel);
    await tick();
    expect(scannerLoads()).toBe(1);
    expect(created).toHaveBeenCalledTimes(1);
    expect(warnOnOpen).toHaveBeenCalledTimes(2);
    remove();
  });

  it('the first save, before any notebook was opened, waits for the checks and is stopped by them', async () => {
    const { contents, saved, remove } = setup();
    askBeforeSave.mockResolvedValueOnce('cancel');
    await expect(
      contents.save('a.ipynb', { type: 'notebook', content: notebookWithPassword(`t = "${TOKEN}"`) })
    ).rejects.toMatchObject({ name: 'ModalCancelError' });
    expect(created).toHaveBeenCalledTimes(1);
    expect(askBeforeSave).toHaveBeenCalledTimes(1);
    expect(saved).toHaveLength(0);
    remove();
  });

  it('when the checks cannot be loaded, the save fails without writing, and the next save loads them again', async () => {
    const { contents, saved, remove } = setup();
    created.mockImplementationOnce(() => {
      throw new Error('Loading chunk leak-guard failed.');
    });
    const content = notebookWithPassword(`t = "${TOKEN}"`);
    await expect(contents.save('a.ipynb', { type: 'notebook', content })).rejects.toThrow('Loading chunk');
    expect(saved).toHaveLength(0);
    askBeforeSave.mockResolvedValueOnce('save');
    await contents.save('a.ipynb', { type: 'notebook', content });
    expect(created).toHaveBeenCalledTimes(2);
    expect(askBeforeSave).toHaveBeenCalledTimes(1);
    expect(saved.map(s => s.path)).toEqual(['a.ipynb']);
    remove();
  });

  it('a notebook opened while the checks could not be loaded is looked at once a later load succeeds', async () => {
    const { contents, panel, widgetAdded, remove } = setup();
    const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    created.mockImplementationOnce(() => {
      throw new Error('Loading chunk leak-guard failed.');
    });
    widgetAdded.emit(panel);
    await tick();
    expect(warnOnOpen).not.toHaveBeenCalled();
    expect(error).toHaveBeenCalledTimes(1);
    askBeforeSave.mockResolvedValueOnce('cancel');
    await expect(
      contents.save('b.ipynb', { type: 'notebook', content: notebookWithPassword('x = 1') })
    ).resolves.toBeDefined();
    await tick();
    expect(created).toHaveBeenCalledTimes(2);
    expect(warnOnOpen).toHaveBeenCalledTimes(1);
    error.mockRestore();
    remove();
  });
});
