/**
 * Finds the active notebook's GitHub-token field and fills it with the
 * token: a live ipywidgets `Password`/`Text` widget (through the kernel, so
 * that code reading `.value` gets it), or an assignment cell such as
 * `github_token = ""`, rewritten to read the environment while the token
 * goes to the kernel environment. The token is put into the source only in
 * the explicit `literal` mode (the panel asks first).
 *
 * Only widgets the notebook displays now count (a re-run form cell leaves
 * its old widget alive in the kernel), and a widget fill is confirmed only
 * when both the kernel's value and the displayed input have the token's
 * length.
 */
import type { ISessionContext } from '@jupyterlab/apputils';
import type { Trans } from '../i18n';
import { buildListWidgetsExpression, buildSetWidgetValueCode, buildWidgetValueCheckExpression } from '../kernel/code';
import {
  executeSilently,
  executeWithToken,
  IKernelWriteResult,
  KernelWriteProblem,
  readyPythonKernel,
  unsafeInputFailure,
  writeFailure,
  writeTokenToKernel
} from '../kernel/environment';
import { allowTokenIn } from '../token/consent';
import { describeCandidate } from './describe';
import {
  fieldNameMatches,
  findAssignmentCandidates,
  IAssignmentCandidate,
  rewriteAssignmentToEnvRead,
  rewriteAssignmentToLiteral
} from './fields';

/** Where a displayed widget's field is in a container that shows it. */
export interface IDisplayedIn {
  /** The model id of the displayed container (an output of a cell). */
  containerId: string;
  /** Its place among the container's fields of the same class, in display (document) order. */
  index: number;
}

/** What the writer needs of a notebook. */
export interface INotebookHandle {
  sessionContext: ISessionContext;
  path: string;
  /** Every cell's type and source, in order. */
  cells(): { cellType: string; source: string }[];
  /** Replace one cell's source (undoable in the editor like any edit). */
  setCellSource(index: number, source: string): void;
  /** The model ids of the ipywidgets the notebook's cells display now, in display order. */
  displayedWidgetIds(): string[];
  /**
   * The length of the value of the input shown for the widget `modelId` of
   * class `widgetClass` (never the value), or null when it is not displayed.
   * `within`: it is shown inside that displayed container. Polls briefly for
   * the view to catch up, until the length is `expected` when given.
   */
  displayedValueLength(
    modelId: string,
    widgetClass: string,
    options?: { within?: IDisplayedIn; expected?: number }
  ): Promise<number | null>;
}

/** A live ipywidgets field in the kernel. */
export interface IWidgetCandidate {
  kind: 'widget';
  id: string;
  widgetClass: string;
  description: string;
  /** User variables bound to the widget. */
  names: string[];
  empty: boolean;
  /** Shown inside a displayed container (absent: displayed itself, or not known to be displayed). */
  within?: IDisplayedIn;
}

/** One place the token can go. */
export type FieldCandidate = IWidgetCandidate | ({ kind: 'assignment' } & IAssignmentCandidate);

/** How an assignment cell receives the token. */
export type AssignmentMode = 'env' | 'literal';

/** The outcome of a search. */
export interface IFieldSearch {
  candidates: FieldCandidate[];
  /** What was looked for when nothing was found, else ''. */
  message: string;
  /** Why the kernel's widgets were not searched (absent: they were). */
  widgetProblem?: KernelWriteProblem;
}

/** The kernel's fields and containers, as listed by the widget list expression. */
export interface IWidgetTree {
  widgets: IWidgetCandidate[];
  /** Container model id -> its children's model ids, in order. */
  children: Map<string, string[]>;
}

/** Parse the widget list expression's value (repr of a base64 string of JSON): fields and containers. */
export function parseWidgetTree(value: string): IWidgetTree {
  const tree: IWidgetTree = { widgets: [], children: new Map() };
  const match = /^'([A-Za-z0-9+/=]*)'$/.exec(value.trim());
  if (!match) {
    return tree;
  }
  let list: unknown;
  try {
    const bytes = Uint8Array.from(atob(match[1]), c => c.charCodeAt(0));
    list = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return tree;
  }
  if (!Array.isArray(list)) {
    return tree;
  }
  for (const w of list as Array<Record<string, unknown> | null>) {
    if (!w || typeof w.id !== 'string') {
      continue;
    }
    if (Array.isArray(w.children)) {
      tree.children.set(
        w.id,
        w.children.filter((id: unknown): id is string => typeof id === 'string' && id !== '')
      );
    } else if (typeof w.cls === 'string' && typeof w.description === 'string' && Array.isArray(w.names)) {
      tree.widgets.push({
        kind: 'widget',
        id: w.id,
        widgetClass: w.cls,
        description: w.description,
        names: w.names.filter((n: unknown): n is string => typeof n === 'string'),
        empty: !!w.empty
      });
    }
  }
  return tree;
}

/** Deepest container nesting followed (a guard against cycles, which ipywidgets does not forbid). */
const MAX_NESTING = 32;

/**
 * The fields of `tree` that `displayed` (model ids of displayed outputs, in
 * order) shows: displayed themselves, or inside a displayed container (at
 * any depth). In display order, each once (where it is first shown). A
 * widget that is alive in the kernel but shown by no output (e.g. the one a
 * re-run cell replaced) is not among them.
 */
export function displayedFields(tree: IWidgetTree, displayed: readonly string[]): IWidgetCandidate[] {
  const fields = new Map(tree.widgets.map(widget => [widget.id, widget]));
  const found = new Map<string, IWidgetCandidate>();
  for (const outputId of displayed) {
    const direct = fields.get(outputId);
    if (direct) {
      if (!found.has(outputId)) {
        found.set(outputId, direct);
      }
      continue;
    }
    // Inside a container, each field is found in the view by its place among
    // the views of its class: count every occurrence, in document order.
    const seen = new Map<string, number>();
    const walk = (containerId: string, path: readonly string[]): void => {
      if (path.length > MAX_NESTING || path.includes(containerId)) {
        return;
      }
      for (const child of tree.children.get(containerId) ?? []) {
        const field = fields.get(child);
        if (field) {
          const index = seen.get(field.widgetClass) ?? 0;
          seen.set(field.widgetClass, index + 1);
          if (!found.has(child)) {
            found.set(child, { ...field, within: { containerId: outputId, index } });
          }
        } else {
          walk(child, [...path, containerId]);
        }
      }
    };
    walk(outputId, []);
  }
  return [...found.values()];
}

/** There is no active notebook to look in. */
function noNotebook(trans: Trans): IKernelWriteResult {
  return writeFailure(
    'no-notebook',
    trans.__('Open the notebook that asks for the token first: its field is filled in the active notebook.')
  );
}

/**
 * Find the candidates in `notebook`: widgets (when its kernel is ready and
 * runs Python) whose description or variable name matches `fieldName`
 * loosely, then assignment cells.
 */
export async function findNotebookFields(
  notebook: INotebookHandle | null,
  fieldName: string,
  trans: Trans
): Promise<IFieldSearch | IKernelWriteResult> {
  if (!notebook) {
    return noNotebook(trans);
  }
  const candidates: FieldCandidate[] = [];
  let widgetNote = '';
  let widgetProblem: KernelWriteProblem | undefined;
  const ready = await readyPythonKernel(notebook.sessionContext, notebook.path, trans);
  if ('kernel' in ready) {
    const listed = await executeSilently(ready, '', buildListWidgetsExpression(ready.language, trans), trans);
    if ('value' in listed) {
      const matches = (widget: IWidgetCandidate): boolean =>
        fieldNameMatches(widget.description, fieldName) || widget.names.some(name => fieldNameMatches(name, fieldName));
      const tree = parseWidgetTree(listed.value);
      // Only what the notebook shows now: never a widget a re-run cell replaced.
      candidates.push(...displayedFields(tree, notebook.displayedWidgetIds()).filter(matches));
      if (!candidates.length && tree.widgets.some(matches)) {
        widgetNote = trans.__(
          'A matching field is alive in the kernel but no cell displays it any more: run the cell that displays the form.'
        );
      }
    } else {
      widgetNote = listed.message;
      widgetProblem = listed.problem;
    }
  } else {
    widgetNote = trans.__('Widgets were not searched: %1', ready.message);
    widgetProblem = ready.problem;
  }
  const searched = widgetProblem ? { widgetProblem } : {};
  for (const assignment of findAssignmentCandidates(notebook.cells(), fieldName)) {
    candidates.push({ kind: 'assignment', ...assignment });
  }
  if (candidates.length) {
    return { candidates, message: '', ...searched };
  }
  const looked = trans.__(
    'No "%1" field found in "%2". Looked for ipywidgets Password or Text fields whose description or variable name matches "%1" (or GitHub token, Personal Access Token, github_token), and for cells that assign a string to such a variable, e.g. github_token = "".',
    fieldName,
    notebook.path
  );
  const hint = widgetNote || trans.__('If the notebook shows a form, run the cell that displays it first.');
  return { candidates: [], message: `${looked} ${hint}`, ...searched };
}

/**
 * Put `token` into `candidate`. Widgets get it through the kernel; an
 * assignment cell is rewritten to read `names[0]` from the environment after
 * the kernel environment received the token (`env`), or, in `literal` mode
 * (after the user's explicit confirmation), gets the token in its source.
 */
export async function fillNotebookField(
  notebook: INotebookHandle | null,
  candidate: FieldCandidate,
  token: string,
  mode: AssignmentMode,
  names: readonly string[],
  fieldName: string,
  trans: Trans
): Promise<IKernelWriteResult> {
  if (!notebook) {
    return noNotebook(trans);
  }
  return candidate.kind === 'widget'
    ? fillWidget(notebook, candidate, token, trans)
    : fillAssignment(notebook, candidate, token, mode, names, fieldName, trans);
}

async function fillWidget(
  notebook: INotebookHandle,
  candidate: IWidgetCandidate,
  token: string,
  trans: Trans
): Promise<IKernelWriteResult> {
  const ready = await readyPythonKernel(notebook.sessionContext, notebook.path, trans);
  if (!('kernel' in ready)) {
    return ready;
  }
  let code: string;
  let check: string;
  try {
    code = buildSetWidgetValueCode(ready.language, [candidate.id], token, trans);
    check = buildWidgetValueCheckExpression(ready.language, [candidate.id], trans);
  } catch (error) {
    return unsafeInputFailure(error, ready.kernelDisplayName);
  }
  const label = describeCandidate(candidate, trans);
  // A field no cell shows any more (replaced by a re-run) gets nothing.
  const displayed = notebook.displayedWidgetIds();
  if (!displayed.includes(candidate.within?.containerId ?? candidate.id)) {
    return writeFailure(
      'changed',
      trans.__(
        'The notebook does not display the %1 any more (was its cell run again?). Search again and fill the field shown.',
        label
      ),
      ready.kernelDisplayName
    );
  }
  // The code holds the token: never to a kernel that logs its requests.
  const executed = await executeWithToken(ready, code, check, trans);
  if (!('value' in executed)) {
    return executed;
  }
  // `[['<id>', <length of the value>]]`: the value itself never comes back.
  const length = Number(/,\s*(-?\d+)\]\]$/.exec(executed.value.trim())?.[1] ?? NaN);
  if (length === -1) {
    return writeFailure(
      'changed',
      trans.__('The field %1 no longer exists in the kernel (was its cell run again?). Search again.', label),
      ready.kernelDisplayName
    );
  }
  if (length !== token.length) {
    return writeFailure(
      'execution-failed',
      trans.__('The kernel did not confirm that %1 holds the token. Check the kernel and try again.', label),
      ready.kernelDisplayName
    );
  }
  // Confirmed only when the field the user sees holds it too (its length, never its value).
  const shown = await notebook.displayedValueLength(candidate.id, candidate.widgetClass, {
    within: candidate.within,
    expected: token.length
  });
  if (shown === null) {
    return writeFailure(
      'changed',
      trans.__(
        "The kernel's %1 has the token, but the notebook does not display that field any more (was its cell run again?). Search again and fill the field shown.",
        label
      ),
      ready.kernelDisplayName
    );
  }
  if (shown !== token.length) {
    return writeFailure(
      'execution-failed',
      trans.__(
        "The kernel's %1 has the token, but the field shown does not. Run the cell that displays the form again, then fill it again.",
        label
      ),
      ready.kernelDisplayName
    );
  }
  const reader = candidate.names[0] ? `${candidate.names[0]}.value` : trans.__('its value');
  const message =
    candidate.widgetClass === 'Password'
      ? trans.__(
          "Filled the %1: it shows the token masked, and code reading %2 gets it. Nothing was written to the notebook's source.",
          label,
          reader
        )
      : trans.__(
          'Filled the %1, and code reading %2 gets it. This is a Text field: it shows the token in clear on screen.',
          label,
          reader
        );
  return { ok: true, message, variables: [], kernelDisplayName: ready.kernelDisplayName };
}

async function fillAssignment(
  notebook: INotebookHandle,
  candidate: IAssignmentCandidate,
  token: string,
  mode: AssignmentMode,
  names: readonly string[],
  fieldName: string,
  trans: Trans
): Promise<IKernelWriteResult> {
  // The cell may have changed since the search: find the same line again.
  const current = findAssignmentCandidates(notebook.cells(), fieldName).find(
    c => c.cellIndex === candidate.cellIndex && c.line === candidate.line && c.variable === candidate.variable
  );
  if (!current) {
    return writeFailure(
      'changed',
      trans.__('Cell %1 changed since the search: search again.', candidate.cellIndex + 1)
    );
  }
  const source = notebook.cells()[current.cellIndex].source;
  const where = trans.__('cell %1, line %2', current.cellIndex + 1, current.line + 1);
  if (mode === 'literal') {
    let rewritten: string;
    try {
      rewritten = rewriteAssignmentToLiteral(source, current.line, token, trans);
    } catch (error) {
      return unsafeInputFailure(error);
    }
    allowTokenIn(notebook.path, token);
    notebook.setCellSource(current.cellIndex, rewritten);
    return {
      ok: true,
      message: trans.__(
        'Put the token into %1 (%2), as you asked: it will be saved to disk with the notebook. Run the cell to use it.',
        where,
        current.variable
      ),
      variables: []
    };
  }
  const written = await writeTokenToKernel(notebook.sessionContext, notebook.path, token, names, trans);
  if (!written.ok) {
    return written;
  }
  if (current.current !== 'env') {
    notebook.setCellSource(current.cellIndex, rewriteAssignmentToEnvRead(source, current.line, names[0], trans));
  }
  return {
    ...written,
    message: trans.__(
      '%1 (%2) now reads os.environ.get("%3", ""), and the kernel has %3: run the cell to load the token. The token itself is not in the notebook.',
      where,
      current.variable,
      names[0]
    )
  };
}
