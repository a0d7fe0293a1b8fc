/**
 * The auto-fill's JupyterLab wiring, against fakes with real Lumino signals:
 * which changes reach the auto-fill, where the held token and the settings
 * come from, and that the token flow's model loads only for a search.
 */
import { Notification } from '@jupyterlab/apputils';
import type { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import type { ISettingRegistry } from '@jupyterlab/settingregistry';
import { nullTranslator } from '@jupyterlab/translation';
import { Signal } from '@lumino/signaling';
import type { NotebookAutoFill } from '../../../src/notebook/autoFill';
import { autoFillDeps, startAutoFill, watchNotebook } from '../../../src/notebook/autoFillWatcher';
import type { FieldCandidate, INotebookHandle } from '../../../src/notebook/fieldWriter';
import * as api from '../../../src/server/api';
import { withDefaults } from '../../../src/settings';
import type { IGitHubTokenFlow } from '../../../src/tokens';
import { trans } from '../support/trans';

jest.mock('../../../src/server/api', () => ({
  ...jest.requireActual('../../../src/server/api'),
  fetchServerStatus: jest.fn()
}));

const fetchServerStatus = api.fetchServerStatus as jest.Mock;
const tick = () => new Promise(resolve => setTimeout(resolve, 0));

/** A code cell model whose outputs signal their changes. */
interface ICell {
  type: string;
  sharedModel: { getSource(): string };
  outputs?: { length: number; get(): undefined; changed: Signal<unknown, unknown> };
}
const codeCell = (): ICell => ({
  type: 'code',
  sharedModel: { getSource: () => '' },
  outputs: { length: 0, get: () => undefined, changed: new Signal<unknown, unknown>({}) }
});

function fakePanel(path = 'work/form.ipynb') {
  const markdown: ICell = { type: 'markdown', sharedModel: { getSource: () => '' } };
  const cells = Object.assign([codeCell(), markdown], {
    changed: new Signal<unknown, { newValues: unknown[] }>({})
  });
  const panel = {
    isDisposed: false,
    context: { path, ready: Promise.resolve() },
    sessionContext: { statusChanged: new Signal<unknown, string>({}) },
    content: { model: { cells }, widgets: [], modelChanged: new Signal<unknown, void>({}) }
  };
  return { panel, cells, asPanel: panel as unknown as NotebookPanel };
}

function fakeAutoFill() {
  const seen: INotebookHandle[] = [];
  const autoFill = { displayedWidgetsChanged: jest.fn((h: INotebookHandle) => seen.push(h)) };
  return { seen, autoFill, asAutoFill: autoFill as unknown as NotebookAutoFill };
}

const held = (
  apiBaseUrl: string,
  login: string | null,
  status: api.IHeldTokenStatus['check']['status'] = 'unchecked'
) =>
  ({
    tokens: [{ apiBaseUrl, login, check: { status, checkedAt: null, message: '' } }]
  }) as unknown as api.IServerStatus;

describe('watchNotebook', () => {
  it('looks once ready, on every output change (cells added later too) and when the kernel is idle again', async () => {
    const { panel, cells, asPanel } = fakePanel();
    const { seen, autoFill, asAutoFill } = fakeAutoFill();
    watchNotebook(asPanel, asAutoFill);
    await tick();
    expect(autoFill.displayedWidgetsChanged).toHaveBeenCalledTimes(1);
    expect(seen[0].path).toBe('work/form.ipynb');

    cells[0].outputs!.changed.emit(undefined);
    expect(autoFill.displayedWidgetsChanged).toHaveBeenCalledTimes(2);

    const added = codeCell();
    cells.push(added);
    cells.changed.emit({ newValues: [added] });
    added.outputs!.changed.emit(undefined);
    expect(autoFill.displayedWidgetsChanged).toHaveBeenCalledTimes(3);

    panel.sessionContext.statusChanged.emit('busy');
    expect(autoFill.displayedWidgetsChanged).toHaveBeenCalledTimes(3);
    panel.sessionContext.statusChanged.emit('idle');
    expect(autoFill.displayedWidgetsChanged).toHaveBeenCalledTimes(4);

    // Renamed: the next handle has the new path. Disposed: nothing.
    panel.context.path = 'work/renamed.ipynb';
    cells[0].outputs!.changed.emit(undefined);
    expect(seen[4].path).toBe('work/renamed.ipynb');
    panel.isDisposed = true;
    cells[0].outputs!.changed.emit(undefined);
    expect(autoFill.displayedWidgetsChanged).toHaveBeenCalledTimes(5);
  });

  it('watching the same model again connects nothing twice', async () => {
    const { panel, cells, asPanel } = fakePanel();
    const { autoFill, asAutoFill } = fakeAutoFill();
    watchNotebook(asPanel, asAutoFill);
    await tick();
    panel.content.modelChanged.emit();
    autoFill.displayedWidgetsChanged.mockClear();
    cells[0].outputs!.changed.emit(undefined);
    expect(autoFill.displayedWidgetsChanged).toHaveBeenCalledTimes(1);
  });
});

describe('autoFillDeps', () => {
  const model = {
    findFieldsIn: jest.fn(async () => ({ candidates: [], message: '' })),
    fillFieldIn: jest.fn(async () => null)
  };
  const flow = { model: jest.fn(async () => model) } as unknown as IGitHubTokenFlow;
  const settings = withDefaults({ apiBaseUrl: 'https://api.github.com', fillNotebookFields: 'always' });

  beforeEach(() => jest.clearAllMocks());

  it("reads the mode, and the held token's account for the settings' API URL, without loading the model", async () => {
    const deps = autoFillDeps(flow, () => settings, trans);
    expect(deps.mode()).toBe('always');
    fetchServerStatus.mockResolvedValueOnce(held('https://api.github.com', 'octocat'));
    expect(await deps.held()).toEqual({ login: 'octocat' });
    fetchServerStatus.mockResolvedValueOnce(held('https://ghe.example.org/api/v3', 'other'));
    expect(await deps.held()).toBeNull();
    fetchServerStatus.mockResolvedValueOnce(null);
    expect(await deps.held()).toBeNull();
    expect(flow.model).not.toHaveBeenCalled();
  });

  it('offers no token the server found revoked or expired; a valid or unreachable one still', async () => {
    const deps = autoFillDeps(flow, () => settings, trans);
    for (const status of ['revoked', 'expired'] as const) {
      fetchServerStatus.mockResolvedValueOnce(held('https://api.github.com', 'octocat', status));
      expect(await deps.held()).toBeNull();
    }
    for (const status of ['valid', 'unreachable', 'unchecked'] as const) {
      fetchServerStatus.mockResolvedValueOnce(held('https://api.github.com', 'octocat', status));
      expect(await deps.held()).toEqual({ login: 'octocat' });
    }
  });

  it("searches and fills through the flow's model", async () => {
    const deps = autoFillDeps(flow, () => settings, trans);
    const handle = {} as INotebookHandle;
    await deps.find(handle);
    expect(model.findFieldsIn).toHaveBeenCalledWith(handle);
    const candidate: FieldCandidate = {
      kind: 'widget',
      id: 'x',
      widgetClass: 'Password',
      description: '',
      names: [],
      empty: true
    };
    await deps.fill(handle, candidate);
    expect(model.fillFieldIn).toHaveBeenCalledWith(handle, candidate);
  });

  it('asks with a notification that stays, whose action fills', () => {
    const info = jest.spyOn(Notification, 'info').mockReturnValue('id');
    const onFill = jest.fn();
    autoFillDeps(flow, () => settings, trans).notify.ask('Fill it?', 'Fill', onFill);
    const options = info.mock.calls[0][1]!;
    expect(info).toHaveBeenCalledWith('Fill it?', expect.objectContaining({ autoClose: false }));
    expect(options.actions![0].label).toBe('Fill');
    options.actions![0].callback(new MouseEvent('click'));
    expect(onFill).toHaveBeenCalledTimes(1);
    info.mockRestore();
  });
});

describe('startAutoFill', () => {
  it('once the settings are loaded, watches the open notebooks and the ones opened later', async () => {
    const open = fakePanel('a.ipynb');
    const later = fakePanel('b.ipynb');
    const widgetAdded = new Signal<unknown, NotebookPanel>({});
    const notebooks = {
      forEach: (fn: (panel: NotebookPanel) => void) => fn(open.asPanel),
      widgetAdded
    } as unknown as INotebookTracker;
    const composite = { fillNotebookFields: 'never' };
    const registry = { load: jest.fn(async () => ({ composite })) } as unknown as ISettingRegistry;
    const statusChanged = jest.spyOn(open.panel.sessionContext.statusChanged, 'connect');
    const flow = { model: jest.fn() };
    await startAutoFill(nullTranslator, notebooks, registry, flow);
    expect(registry.load).toHaveBeenCalledWith('jupyterlab-github-token:plugin');
    expect(statusChanged).toHaveBeenCalledTimes(1);
    const laterConnect = jest.spyOn(later.panel.sessionContext.statusChanged, 'connect');
    widgetAdded.emit(later.asPanel);
    expect(laterConnect).toHaveBeenCalledTimes(1);
    // Asked again (the plugin asks on every notebook opened): started once.
    await startAutoFill(nullTranslator, notebooks, registry, flow);
    expect(registry.load).toHaveBeenCalledTimes(1);
    expect(statusChanged).toHaveBeenCalledTimes(1);
  });

  it('without the token flow, does nothing', async () => {
    const notebooks = { forEach: jest.fn(), widgetAdded: new Signal<unknown, NotebookPanel>({}) };
    await startAutoFill(nullTranslator, notebooks as unknown as INotebookTracker, null, null);
    expect(notebooks.forEach).not.toHaveBeenCalled();
  });

  it('without settings (none, or failing to load), still starts with the defaults', async () => {
    const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const failing = { load: jest.fn(async () => Promise.reject(new Error('no settings'))) };
    for (const registry of [null, failing as unknown as ISettingRegistry]) {
      const notebooks = { forEach: jest.fn(), widgetAdded: new Signal<unknown, NotebookPanel>({}) };
      await startAutoFill(nullTranslator, notebooks as unknown as INotebookTracker, registry, { model: jest.fn() });
      expect(notebooks.forEach).toHaveBeenCalledTimes(1);
    }
    expect(error).toHaveBeenCalledTimes(1);
    error.mockRestore();
  });
});
