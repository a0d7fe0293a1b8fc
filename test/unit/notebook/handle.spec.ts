/**
 * The notebook handle against a small fake of a NotebookPanel: the cells'
 * models (outputs with widget views) and their output areas' DOM, as
 * JupyterLab 4 lays them out (output i of a cell is `outputArea.widgets[i]`).
 */
import type { NotebookPanel } from '@jupyterlab/notebook';
import { notebookHandle, WIDGET_VIEW_MIME } from '../../../src/notebook/handle';

const ID = '4ec0c17515004facba0716172ecfcf09';
const ID2 = '936dfeab3bfd4aed95c5ed0001cf8dbf';
const BOX = 'aaaabbbbccccddddeeeeffff00001111';
const FAST = { timeoutMs: 200, intervalMs: 10 };

/** An output: a widget view of `modelId`, or a text output. */
const view = (modelId: string) => ({ data: { [WIDGET_VIEW_MIME]: { model_id: modelId, version_major: 2 } } });
const text = { data: { 'text/plain': 'hello' } };

/** The DOM ipywidgets renders for a field: a label and an input. */
function fieldNode(type: 'password' | 'text', value: string, list = false): HTMLElement {
  const node = document.createElement('div');
  node.className = 'widget-inline-hbox widget-text';
  const input = document.createElement('input');
  input.type = type;
  input.value = value;
  if (list) {
    input.setAttribute('list', 'options');
  }
  node.append(document.createElement('label'), input);
  return node;
}

/** Other widgets' views, as @jupyter-widgets/controls renders them, with text or password inputs of their own. */
function otherView(kind: 'combobox' | 'colorpicker' | 'inttext' | 'html' | 'tagsinput'): HTMLElement {
  const node = document.createElement('div');
  const input = document.createElement('input');
  if (kind === 'combobox') {
    // A Combobox is a TextView with a datalist.
    node.className = 'widget-inline-hbox widget-text';
    input.type = 'text';
    input.value = 'combo!';
    input.setAttribute('list', 'options');
    node.append(input, document.createElement('datalist'));
  } else if (kind === 'colorpicker') {
    node.className = 'widget-inline-hbox widget-colorpicker';
    const box = document.createElement('div');
    box.className = 'widget-inline-hbox widget-colorpicker-input';
    input.type = 'text';
    input.value = '#ff0000';
    const color = document.createElement('input');
    color.type = 'color';
    box.append(input, color);
    node.append(box);
  } else if (kind === 'inttext') {
    node.className = 'widget-inline-hbox widget-text';
    input.type = 'number';
    input.value = '12';
    node.append(input);
  } else if (kind === 'html') {
    // An HTML widget shows whatever markup it is given, inputs included.
    node.className = 'widget-inline-hbox widget-html';
    const content = document.createElement('div');
    content.className = 'widget-html-content';
    input.type = 'password';
    input.value = 'not-the-field';
    content.append(input);
    node.append(content);
  } else {
    node.className = 'jupyter-widget-tagsinput';
    const wrapper = document.createElement('div');
    wrapper.className = 'widget-text';
    input.type = 'text';
    input.value = 'tag';
    input.setAttribute('list', 'tags');
    wrapper.append(input);
    node.append(wrapper);
  }
  return node;
}

interface IFakeCell {
  type: string;
  source: string;
  outputs: Array<{ data: Record<string, unknown> }>;
  /** The DOM of each output; absent: the cell is not rendered (windowing). */
  nodes?: HTMLElement[];
}

function fakePanel(cells: IFakeCell[]) {
  const models = cells.map(cell => ({
    type: cell.type,
    sharedModel: { getSource: () => cell.source, setSource: jest.fn((s: string) => (cell.source = s)) },
    outputs:
      cell.type === 'code'
        ? {
            get length() {
              return cell.outputs.length;
            },
            get: (i: number) => cell.outputs[i]
          }
        : undefined
  }));
  const list = Object.assign([...models], { get: (i: number) => models[i] });
  const widgets = cells.map((cell, i) =>
    cell.nodes ? { outputArea: { model: models[i].outputs, widgets: cell.nodes.map(node => ({ node })) } } : {}
  );
  const panel = {
    sessionContext: { name: 'session' },
    context: { path: 'work/form.ipynb' },
    content: { model: { cells: list }, widgets }
  } as unknown as NotebookPanel;
  return { panel, models };
}

describe('notebookHandle', () => {
  it('gives the path, the cells, and sets a source', () => {
    const cells: IFakeCell[] = [
      { type: 'markdown', source: '# Title', outputs: [] },
      { type: 'code', source: 'x = 1', outputs: [] }
    ];
    const { panel, models } = fakePanel(cells);
    const handle = notebookHandle(panel);
    expect(handle.path).toBe('work/form.ipynb');
    expect(handle.cells()).toEqual([
      { cellType: 'markdown', source: '# Title' },
      { cellType: 'code', source: 'x = 1' }
    ]);
    handle.setCellSource(1, 'x = 2');
    expect(models[1].sharedModel.setSource).toHaveBeenCalledWith('x = 2');
  });

  it('lists the widget views the cells display, in order, and nothing else', () => {
    const { panel } = fakePanel([
      { type: 'code', source: '', outputs: [text, view(ID2)] },
      { type: 'markdown', source: '', outputs: [] },
      { type: 'code', source: '', outputs: [view(ID), { data: { [WIDGET_VIEW_MIME]: { model_id: 3 } } }] }
    ]);
    expect(notebookHandle(panel).displayedWidgetIds()).toEqual([ID2, ID]);
  });

  it("reads the length of the displayed input's value, by class, never finding a Combobox", async () => {
    const { panel } = fakePanel([
      {
        type: 'code',
        source: '',
        outputs: [text, view(ID), view(ID2)],
        nodes: [document.createElement('pre'), fieldNode('password', 'abc'), fieldNode('text', 'combo', true)]
      }
    ]);
    const handle = notebookHandle(panel, FAST);
    expect(await handle.displayedValueLength(ID, 'Password', { expected: 3 })).toBe(3);
    // The Text field's only input has a `list`: a Combobox.
    expect(await handle.displayedValueLength(ID2, 'Text', { expected: 5 })).toBeNull();
    expect(await handle.displayedValueLength(ID, 'Checkbox', { expected: 3 })).toBeNull();
  });

  it("finds a container's field by its place among the views of its class", async () => {
    const box = document.createElement('div');
    box.append(
      fieldNode('text', 'https://example.org'),
      fieldNode('password', 'first'),
      fieldNode('password', 'second!')
    );
    const { panel } = fakePanel([{ type: 'code', source: '', outputs: [view(BOX)], nodes: [box] }]);
    const handle = notebookHandle(panel, FAST);
    expect(
      await handle.displayedValueLength(ID, 'Password', { within: { containerId: BOX, index: 1 }, expected: 7 })
    ).toBe(7);
    expect(
      await handle.displayedValueLength(ID, 'Password', { within: { containerId: BOX, index: 0 }, expected: 5 })
    ).toBe(5);
    expect(
      await handle.displayedValueLength(ID, 'Password', { within: { containerId: BOX, index: 2 }, expected: 1 })
    ).toBeNull();
    // Not displayed itself, only in the container.
    expect(await handle.displayedValueLength(ID, 'Password', { expected: 5 })).toBeNull();
  });

  it("counts only the views of the field's class: other widgets' inputs before it shift nothing", async () => {
    // VBox([ColorPicker, Combobox, HTML('<input type=password>'), IntText, TagsInput, Text, Password, VBox([Text, Password])])
    const inner = document.createElement('div');
    inner.className = 'widget-container widget-box widget-vbox';
    inner.append(fieldNode('text', 'inner text'), fieldNode('password', 'inner pw!'));
    const box = document.createElement('div');
    box.className = 'widget-container widget-box widget-vbox';
    box.append(
      otherView('colorpicker'),
      otherView('combobox'),
      otherView('html'),
      otherView('inttext'),
      otherView('tagsinput'),
      fieldNode('text', 'https://example.org'),
      fieldNode('password', 'secret'),
      inner
    );
    const { panel } = fakePanel([{ type: 'code', source: '', outputs: [view(BOX)], nodes: [box] }]);
    const handle = notebookHandle(panel, FAST);
    const within = (index: number) => ({ containerId: BOX, index });
    expect(await handle.displayedValueLength(ID, 'Text', { within: within(0), expected: 19 })).toBe(19);
    expect(await handle.displayedValueLength(ID, 'Password', { within: within(0), expected: 6 })).toBe(6);
    // Nested containers: in document order, as displayedFields counts them.
    expect(await handle.displayedValueLength(ID, 'Text', { within: within(1), expected: 10 })).toBe(10);
    expect(await handle.displayedValueLength(ID, 'Password', { within: within(1), expected: 9 })).toBe(9);
    expect(await handle.displayedValueLength(ID, 'Text', { within: within(2), expected: 1 })).toBeNull();
  });

  it('is null for a field that is not displayed, or whose cell is not rendered', async () => {
    const { panel } = fakePanel([
      { type: 'code', source: '', outputs: [view(ID2)], nodes: [fieldNode('password', 'x')] },
      { type: 'code', source: '', outputs: [view(ID)] }
    ]);
    expect(await notebookHandle(panel, FAST).displayedValueLength(ID, 'Password')).toBeNull();
  });

  it('waits for the view to show the expected length, and gives the last length when it never does', async () => {
    const node = fieldNode('password', '');
    const { panel } = fakePanel([{ type: 'code', source: '', outputs: [view(ID)], nodes: [node] }]);
    const handle = notebookHandle(panel, FAST);
    setTimeout(() => (node.querySelector('input')!.value = 'abcd'), 50);
    expect(await handle.displayedValueLength(ID, 'Password', { expected: 4 })).toBe(4);
    const started = Date.now();
    expect(await handle.displayedValueLength(ID, 'Password', { expected: 9 })).toBe(4);
    expect(Date.now() - started).toBeGreaterThanOrEqual(FAST.timeoutMs - 20);
    // Without an expected length: until it changes.
    setTimeout(() => (node.querySelector('input')!.value = 'ab'), 30);
    expect(await handle.displayedValueLength(ID, 'Password')).toBe(2);
  });
});
