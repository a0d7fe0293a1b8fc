/**
 * The panel's lazily loaded half (plugins/panelFlow.ts): the user's settings
 * reach the model, and the model is told when they are in (its deliveries in
 * a given notebook wait for them, not the defaults).
 */
import type { JupyterFrontEnd } from '@jupyterlab/application';
import type { ISettingRegistry } from '@jupyterlab/settingregistry';
import { nullTranslator } from '@jupyterlab/translation';
import { Signal } from '@lumino/signaling';
import type { IFlowOptions } from '../../../src/flow';
import { openPanelFlow } from '../../../src/plugins/panelFlow';

const mockCreateFlow = jest.fn();

jest.mock('../../../style/panel.css', () => ({}), { virtual: true });
jest.mock('../../../src/flow', () => ({ createFlow: (options: unknown) => mockCreateFlow(options) }));

function open(settings: Promise<ISettingRegistry.ISettings | null>) {
  const model = { settings: undefined as unknown, stateChanged: new Signal<unknown, void>({}) };
  mockCreateFlow.mockImplementation(() => ({ model, view: {} }));
  const app = {
    commands: { notifyCommandChanged: jest.fn() },
    serviceManager: { kernels: {}, sessions: {}, terminals: {}, events: {} }
  } as unknown as JupyterFrontEnd;
  openPanelFlow({ app, notebooks: null, settings, trans: nullTranslator.load('x') });
  const options = mockCreateFlow.mock.calls[mockCreateFlow.mock.calls.length - 1][0] as IFlowOptions;
  return { model, options };
}

describe('openPanelFlow', () => {
  it('settingsReady resolves once the loaded settings are in the model', async () => {
    let load!: (settings: ISettingRegistry.ISettings) => void;
    const settings = new Promise<ISettingRegistry.ISettings | null>(resolve => {
      load = resolve;
    });
    const { model, options } = open(settings);
    let ready = false;
    void options.settingsReady?.then(() => {
      ready = true;
    });
    await new Promise(resolve => setTimeout(resolve, 0));
    expect(ready).toBe(false);
    load({
      composite: { apiBaseUrl: 'https://github.example.com/api/v3', notebookFieldName: 'PAT' },
      changed: new Signal<unknown, void>({})
    } as unknown as ISettingRegistry.ISettings);
    await options.settingsReady;
    expect(ready).toBe(true);
    expect(model.settings).toMatchObject({ apiBaseUrl: 'https://github.example.com/api/v3', notebookFieldName: 'PAT' });
  });

  it('settingsReady resolves with the defaults when there is no settings registry', async () => {
    const { model, options } = open(Promise.resolve(null));
    await expect(options.settingsReady).resolves.toBeUndefined();
    expect(model.settings).toBeUndefined();
  });
});
