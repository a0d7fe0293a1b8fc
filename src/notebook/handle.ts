/**
 * The writer's view of a JupyterLab notebook panel (fieldWriter's
 * `INotebookHandle`): its session, path and cells, and which ipywidgets it
 * displays now, read from the cells' outputs and from the output area's DOM.
 * The DOM is only ever asked for the length of an input's value, never for
 * the value.
 */
import type { NotebookPanel } from '@jupyterlab/notebook';
import type { IDisplayedIn, INotebookHandle } from './fieldWriter';

/** The mime type of a displayed ipywidgets view; its data holds the widget's `model_id`. */
export const WIDGET_VIEW_MIME = 'application/vnd.jupyter.widget-view+json';

/** What is read of an output model (an `IOutputModel`, seen structurally: cells/outputarea are not dependencies). */
interface IOutputLike {
  data: Readonly<Record<string, unknown>>;
}

/** An output area's model. */
interface IOutputsLike {
  readonly length: number;
  get(index: number): IOutputLike | undefined;
}

/** The output area of a code cell's widget. */
interface IOutputAreaLike {
  model: IOutputsLike;
  /** Output `i`'s widget is `widgets[i]` (up to the trimmed outputs' notice). */
  widgets: ReadonlyArray<{ node: HTMLElement }>;
}

/**
 * The input of each field class's ipywidgets view. @jupyter-widgets/controls
 * renders a `Text` or `Password` as an element of class `widget-text` (a
 * `PasswordView` is a `TextView` with another input type: there is no
 * `widget-password`) whose own child is its input; each selector matches one
 * input per view of that class, so a view is counted, not any input. Views of
 * other classes are not counted: a Combobox (a `widget-text` too) has a `list`,
 * an IntText a number input, a TagsInput's input has a `list`, and the text
 * input of a ColorPicker, or any input an HTML widget shows, is not a
 * `widget-text`'s own.
 */
const VIEW_INPUT_SELECTORS: Readonly<Record<string, string>> = {
  Password: '.widget-text > input[type="password"]',
  Text: '.widget-text > input[type="text"]:not([list])'
};

/** How long to wait for the view to show a value the kernel has just set, and how often to look. */
export interface IHandleTiming {
  timeoutMs: number;
  intervalMs: number;
}

const DEFAULT_TIMING: IHandleTiming = { timeoutMs: 3000, intervalMs: 100 };

/** The model id a widget view output shows, or null. */
export function widgetModelId(output: IOutputLike | undefined): string | null {
  const view = output?.data?.[WIDGET_VIEW_MIME] as { model_id?: unknown } | undefined;
  return typeof view?.model_id === 'string' && view.model_id ? view.model_id : null;
}

/** The model ids the outputs `outputs` display, in order. */
function idsOf(outputs: IOutputsLike | undefined): string[] {
  const ids: string[] = [];
  for (let i = 0; i < (outputs?.length ?? 0); i++) {
    const id = widgetModelId(outputs?.get(i));
    if (id) {
      ids.push(id);
    }
  }
  return ids;
}

/** The handle of `panel`'s notebook. */
export function notebookHandle(panel: NotebookPanel, timing: IHandleTiming = DEFAULT_TIMING): INotebookHandle {
  const cells = () => panel.content.model?.cells;

  /** The DOM nodes of the outputs that show `modelId`, in display order. */
  const nodesShowing = (modelId: string): HTMLElement[] => {
    const nodes: HTMLElement[] = [];
    for (const cell of panel.content.widgets) {
      // Cells not rendered yet (windowing) have no output area: not displayed.
      const area = (cell as { outputArea?: IOutputAreaLike }).outputArea;
      if (!area?.model) {
        continue;
      }
      for (let i = 0; i < area.model.length; i++) {
        const node = area.widgets[i]?.node;
        if (node && widgetModelId(area.model.get(i)) === modelId) {
          nodes.push(node);
        }
      }
    }
    return nodes;
  };

  /** The length now, or null when that field is not in the DOM. */
  const lengthNow = (modelId: string, widgetClass: string, within: IDisplayedIn | undefined): number | null => {
    const selector = VIEW_INPUT_SELECTORS[widgetClass];
    if (!selector) {
      return null;
    }
    for (const node of nodesShowing(within?.containerId ?? modelId)) {
      // In document order, as displayedFields counts a container's fields of one class.
      const input = node.querySelectorAll<HTMLInputElement>(selector)[within?.index ?? 0];
      if (input) {
        return input.value.length;
      }
    }
    return null;
  };

  return {
    sessionContext: panel.sessionContext,
    path: panel.context.path,
    cells: () => Array.from(cells() ?? [], cell => ({ cellType: cell.type, source: cell.sharedModel.getSource() })),
    setCellSource: (index, source) => cells()?.get(index)?.sharedModel.setSource(source),
    displayedWidgetIds: () =>
      Array.from(cells() ?? [], cell => idsOf((cell as { outputs?: IOutputsLike }).outputs)).flat(),
    displayedValueLength: async (modelId, widgetClass, options = {}) => {
      const deadline = Date.now() + timing.timeoutMs;
      const first = lengthNow(modelId, widgetClass, options.within);
      let length = first;
      // The view updates when the kernel's change reaches it: wait for the expected length, or any change.
      while (
        Date.now() < deadline &&
        (options.expected === undefined ? length === first : length !== options.expected)
      ) {
        await new Promise(resolve => setTimeout(resolve, timing.intervalMs));
        length = lengthNow(modelId, widgetClass, options.within);
      }
      return length;
    }
  };
}
