/**
 * The panel plugin, activated against small fakes of what it requires: its
 * commands and palette items exist at start-up, and the flow's chunk
 * (plugins/panelFlow.ts, with the model and view) loads only when the panel
 * is shown or a command runs.
 */
import type { JupyterFrontEnd } from '@jupyterlab/application';
import type { ICommandPalette } from '@jupyterlab/apputils';
import type { ISettingRegistry } from '@jupyterlab/settingregistry';
import { nullTranslator } from '@jupyterlab/translation';
import { CommandRegistry } from '@lumino/commands';
import { Signal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';
import { CommandIDs } from '../../../src/commands';
import type { IPanelFlowOptions } from '../../../src/plugins/panelFlow';
import { panelPlugin } from '../../../src/plugins/panel';
import { IGitHubTokenFlow } from '../../../src/tokens';

/**
 * How often the flow's module was loaded: its mock counts, on a global, as
 * the factory runs when the plugin's `import()` first asks for it.
 */
const flowLoads = (): number => (globalThis as { flowLoads?: number }).flowLoads ?? 0;

// `mock`-prefixed, so that the hoisted factory may use it: the factory only
// runs on the first `import()`, long after this line.
const mockOpenPanelFlow = jest.fn();

jest.mock('../../../src/plugins/panelFlow', () => {
  const counted = globalThis as { flowLoads?: number };
  counted.flowLoads = (counted.flowLoads ?? 0) + 1;
  return { openPanelFlow: (options: unknown) => mockOpenPanelFlow(options) };
});

const tick = () => new Promise(resolve => setTimeout(resolve, 0));

/** What the commands act on, as the flow's model (only what they use). */
function fakeModel() {
  return {
    step: 'create' as string,
    hasToken: true,
    hasDraft: true,
    server: null,
    usedForNewKernels: false,
    requestFocus: jest.fn(),
    openWhereUserIs: jest.fn(),
    verify: jest.fn(async () => ({ status: 'idle' })),
    writeToKernel: jest.fn(async () => null),
    writeToNotebookField: jest.fn(async () => null),
    forget: jest.fn()
  };
}

/** Activate the plugin with a real command registry and fakes of the rest. */
function activate(options: { registry?: boolean; palette?: boolean } = {}) {
  const commands = new CommandRegistry();
  const widgets = new Map<string, Widget>();
  const areas: string[] = [];
  // A sidebar is attached hidden and shown when activated, as in JupyterLab.
  const shell = {
    add: (widget: Widget, area: string) => {
      areas.push(area);
      widgets.set(widget.id, widget);
      widget.hide();
      Widget.attach(widget, document.body);
    },
    activateById: jest.fn((id: string) => widgets.get(id)?.show())
  };
  const settings = { composite: {}, changed: new Signal<unknown, void>({}), set: jest.fn() };
  const registry = { load: jest.fn(async () => settings) };
  const paletteItems: Array<{ command: string; category: string }> = [];
  const palette = { addItem: (item: { command: string; category: string }) => paletteItems.push(item) };
  const model = fakeModel();
  const view = new Widget();
  mockOpenPanelFlow.mockImplementation(() => ({ model, view }));
  const app = { commands, shell, serviceManager: {} } as unknown as JupyterFrontEnd;
  const flow = panelPlugin.activate(
    app,
    nullTranslator,
    options.registry === false ? null : (registry as unknown as ISettingRegistry),
    options.palette === false ? null : (palette as unknown as ICommandPalette),
    null,
    null
  ) as IGitHubTokenFlow;
  const sidebar = [...widgets.values()][0];
  const dispose = () => {
    for (const widget of widgets.values()) {
      widget.dispose();
    }
  };
  return { commands, shell, areas, sidebar, registry, settings, paletteItems, model, view, flow, dispose };
}

beforeEach(() => {
  mockOpenPanelFlow.mockReset();
});

describe('panel plugin activation', () => {
  // First in this file: nothing before it loaded the flow's module.
  it('loads no flow at start-up, nor for state queries; showing the panel loads it once', async () => {
    const { commands, sidebar, shell, view, dispose } = activate();
    await tick();
    for (const id of commands.listCommands()) {
      commands.label(id);
      commands.isEnabled(id);
      commands.isToggled(id);
    }
    expect(commands.isEnabled(CommandIDs.verify)).toBe(false);
    expect(flowLoads()).toBe(0);
    expect(mockOpenPanelFlow).not.toHaveBeenCalled();

    shell.activateById(sidebar.id);
    await tick();
    expect(flowLoads()).toBe(1);
    expect(mockOpenPanelFlow).toHaveBeenCalledTimes(1);
    expect(sidebar.node.contains(view.node)).toBe(true);
    // Once loaded, the commands follow the model.
    expect(commands.isEnabled(CommandIDs.verify)).toBe(true);
    sidebar.hide();
    sidebar.show();
    await tick();
    expect(mockOpenPanelFlow).toHaveBeenCalledTimes(1);
    dispose();
  });

  it('a command loads the flow, shows the panel and acts on the model', async () => {
    const { commands, shell, sidebar, model, dispose } = activate();
    await tick();
    expect(mockOpenPanelFlow).not.toHaveBeenCalled();
    await commands.execute(CommandIDs.verify);
    expect(mockOpenPanelFlow).toHaveBeenCalledTimes(1);
    expect(shell.activateById).toHaveBeenCalledWith(sidebar.id);
    expect(sidebar.isVisible).toBe(true);
    expect(model.step).toBe('verify');
    expect(model.requestFocus).toHaveBeenCalledTimes(1);
    expect(model.verify).toHaveBeenCalledTimes(1);
    await commands.execute(CommandIDs.configure);
    expect(mockOpenPanelFlow).toHaveBeenCalledTimes(1);
    expect(model.openWhereUserIs).toHaveBeenCalledTimes(1);
    dispose();
  });

  it('a token the server holds (no draft in this tab) enables the commands, Forget included', async () => {
    const { commands, flow, model, dispose } = activate();
    model.hasDraft = false;
    await flow.model();
    for (const id of [CommandIDs.verify, CommandIDs.writeKernel, CommandIDs.writeNotebookField, CommandIDs.forget]) {
      expect(commands.isEnabled(id)).toBe(true);
    }
    model.hasToken = false;
    for (const id of [CommandIDs.verify, CommandIDs.writeKernel, CommandIDs.writeNotebookField, CommandIDs.forget]) {
      expect(commands.isEnabled(id)).toBe(false);
    }
    dispose();
  });

  it('other plugins get the model through the flow token, which loads it', async () => {
    const { flow, model, dispose } = activate();
    await tick();
    expect(mockOpenPanelFlow).not.toHaveBeenCalled();
    await expect(flow.model()).resolves.toBe(model);
    await expect(flow.model()).resolves.toBe(model);
    expect(mockOpenPanelFlow).toHaveBeenCalledTimes(1);
    dispose();
  });

  it('puts the panel in the left sidebar and hands the settings, once loaded, to the flow', async () => {
    const { areas, registry, settings, flow, dispose } = activate();
    expect(areas).toEqual(['left']);
    expect(registry.load).toHaveBeenCalledWith('jupyterlab-github-token:plugin');
    await flow.model();
    const options = mockOpenPanelFlow.mock.calls[0][0] as IPanelFlowOptions;
    await expect(options.settings).resolves.toBe(settings);
    dispose();
  });

  it('works without a settings registry or a palette', async () => {
    const { commands, flow, dispose } = activate({ registry: false, palette: false });
    expect(commands.listCommands()).toContain(CommandIDs.configure);
    await flow.model();
    await expect((mockOpenPanelFlow.mock.calls[0][0] as IPanelFlowOptions).settings).resolves.toBeNull();
    dispose();
  });
});

describe('panel plugin commands', () => {
  it('adds exactly the commands of commands.ts', () => {
    const { commands, dispose } = activate();
    expect([...commands.listCommands()].sort()).toEqual(Object.values(CommandIDs).sort());
    dispose();
  });

  it.each(Object.values(CommandIDs))('%s has a label, a caption and an args schema', async id => {
    const { commands, dispose } = activate();
    expect(commands.label(id)).toMatch(/\S/);
    expect(commands.caption(id)).toMatch(/\S/);
    expect(commands.caption(id)).not.toBe(commands.label(id));
    const description = await commands.describedBy(id);
    expect(description.args).toMatchObject({ type: 'object' });
    expect(description.args).toHaveProperty('properties');
    dispose();
  });

  it('lists "Configure GitHub token", and every command, in the palette', () => {
    const { commands, paletteItems, dispose } = activate();
    expect(paletteItems).toContainEqual({ command: CommandIDs.configure, category: 'GitHub' });
    expect(commands.label(CommandIDs.configure)).toBe('Configure GitHub token');
    expect(paletteItems.map(item => item.command).sort()).toEqual(Object.values(CommandIDs).sort());
    dispose();
  });
});
