/**
 * The notebook fields plugin, activated against small fakes: at start-up it
 * loads nothing but its id and the tokens it asks for; its watcher loads,
 * once, when the first notebook opens.
 */
import { readFileSync } from 'fs';
import { resolve } from 'path';
import ts from 'typescript';
import type { JupyterFrontEnd } from '@jupyterlab/application';
import type { INotebookTracker } from '@jupyterlab/notebook';
import type { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { Signal } from '@lumino/signaling';
import { notebookFieldsPlugin } from '../../../src/plugins/notebookFields';
import type { IGitHubTokenFlow } from '../../../src/tokens';

/** How often each watched module was loaded (their mocks count on a global, before this file's code runs). */
const loads = (name: string): number => (globalThis as { loads?: Record<string, number> }).loads?.[name] ?? 0;

jest.mock('../../../src/notebook/autoFillWatcher', () => {
  const counted = globalThis as { loads?: Record<string, number> };
  counted.loads = { ...counted.loads, watcher: (counted.loads?.watcher ?? 0) + 1 };
  return { startAutoFill: jest.fn(async () => undefined) };
});
jest.mock('../../../src/notebook/fieldWriter', () => {
  const counted = globalThis as { loads?: Record<string, number> };
  counted.loads = { ...counted.loads, fieldWriter: (counted.loads?.fieldWriter ?? 0) + 1 };
  return jest.requireActual('../../../src/notebook/fieldWriter');
});
jest.mock('../../../src/server/api', () => {
  const counted = globalThis as { loads?: Record<string, number> };
  counted.loads = { ...counted.loads, api: (counted.loads?.api ?? 0) + 1 };
  return jest.requireActual('../../../src/server/api');
});

const tick = () => new Promise(resolve => setTimeout(resolve, 0));

function activate(options: { flow?: IGitHubTokenFlow | null; registry?: ISettingRegistry | null }) {
  const notebooks = { widgetAdded: new Signal<unknown, unknown>({}) };
  const flow = options.flow === undefined ? ({ model: jest.fn() } as IGitHubTokenFlow) : options.flow;
  notebookFieldsPlugin.activate(
    {} as JupyterFrontEnd,
    nullTranslator,
    notebooks as unknown as INotebookTracker,
    options.registry ?? null,
    flow
  );
  return { notebooks, flow };
}

const startAutoFill = async (): Promise<jest.Mock> =>
  (await import('../../../src/notebook/autoFillWatcher')).startAutoFill as jest.Mock;

describe('notebook fields plugin', () => {
  // First in this file: nothing before it loaded the watcher.
  it('loads nothing at activation; the watcher when a notebook opens', async () => {
    const registry = { load: jest.fn() } as unknown as ISettingRegistry;
    const { notebooks, flow } = activate({ registry });
    await tick();
    // Built in the webpack start-up bundle: no kernel, server or field code, no settings read yet.
    expect(loads('watcher')).toBe(0);
    expect(loads('fieldWriter')).toBe(0);
    expect(loads('api')).toBe(0);
    expect(registry.load).not.toHaveBeenCalled();
    notebooks.widgetAdded.emit({});
    notebooks.widgetAdded.emit({});
    await tick();
    expect(loads('watcher')).toBe(1);
    // Asked on every notebook opened: it starts only once (see autoFillWatcher.spec.ts).
    const start = await startAutoFill();
    expect(start).toHaveBeenCalledTimes(2);
    expect(start).toHaveBeenCalledWith(nullTranslator, notebooks, registry, flow);
  });

  it('without the token flow (panel plugin disabled), does nothing', async () => {
    const start = await startAutoFill();
    start.mockClear();
    const { notebooks } = activate({ flow: null });
    notebooks.widgetAdded.emit({});
    await tick();
    expect(start).not.toHaveBeenCalled();
  });

  it('starts automatically and requires the translator', () => {
    expect(notebookFieldsPlugin.id).toBe('jupyterlab-github-token:notebook-fields');
    expect(notebookFieldsPlugin.autoStart).toBe(true);
    expect(notebookFieldsPlugin.requires).toContain(ITranslator);
  });

  it('imports, besides JupyterLab tokens, only the plugin ids and the flow token; its watcher lazily', () => {
    const file = resolve(__dirname, '../../../src/plugins/notebookFields.ts');
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const valueImports = source.statements
      .filter(ts.isImportDeclaration)
      .filter(statement => !statement.importClause?.isTypeOnly)
      .map(statement => (statement.moduleSpecifier as ts.StringLiteral).text);
    expect(valueImports).toEqual([
      '@jupyterlab/notebook',
      '@jupyterlab/settingregistry',
      '@jupyterlab/translation',
      '../tokens',
      './ids'
    ]);
    expect(readFileSync(file, 'utf8')).toContain(
      'import(/* webpackChunkName: "auto-fill" */ \'../notebook/autoFillWatcher\')'
    );
  });
});
