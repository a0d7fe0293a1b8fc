/**
 * Finds the active notebook's GitHub-token field and fills it with the
 * token: a live ipywidgets `Password`/`Text` widget (through the kernel, so
 * that code reading `.value` gets it), or an assignment cell such as
 * `github_token = ""`, rewritten to read the environment while the token
 * goes to the kernel environment. The token is put into the source only in
 * the explicit `literal` mode (the panel asks first).
 */
import type { ISessionContext } from '@jupyterlab/apputils';
import type { Trans } from '../i18n';
import { buildListWidgetsExpression, buildSetWidgetValueCode, buildWidgetValueCheckExpression } from '../kernel/code';
import {
  executeSilently,
  executeWithToken,
  IKernelWriteResult,
  readyPythonKernel,
  unsafeInputFailure,
  writeFailure,
  writeTokenToKernel
} from '../kernel/environment';
import { allowTokenIn } from '../token/consent';
import {
  fieldNameMatches,
  findAssignmentCandidates,
  IAssignmentCandidate,
  rewriteAssignmentToEnvRead,
  rewriteAssignmentToLiteral
} from './fields';

/** What the writer needs of a notebook. */
export interface INotebookHandle {
  sessionContext: ISessionContext;
  path: string;
  /** Every cell's type and source, in order. */
  cells(): { cellType: string; source: string }[];
  /** Replace one cell's source (undoable in the editor like any edit). */
  setCellSource(index: number, source: string): void;
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
}

/** Parse the widget list expression's value: repr of a base64 string of JSON. */
export function parseWidgetList(value: string): IWidgetCandidate[] {
  const match = /^'([A-Za-z0-9+/=]*)'$/.exec(value.trim());
  if (!match) {
    return [];
  }
  try {
    const bytes = Uint8Array.from(atob(match[1]), c => c.charCodeAt(0));
    const list = JSON.parse(new TextDecoder().decode(bytes)) as unknown;
    if (!Array.isArray(list)) {
      return [];
    }
    return list
      .filter(
        (w): w is { id: string; cls: string; description: string; names: string[]; empty: boolean } =>
          !!w &&
          typeof w.id === 'string' &&
          typeof w.cls === 'string' &&
          typeof w.description === 'string' &&
          Array.isArray(w.names)
      )
      .map(w => ({
        kind: 'widget',
        id: w.id,
        widgetClass: w.cls,
        description: w.description,
        names: w.names.filter((n: unknown): n is string => typeof n === 'string'),
        empty: !!w.empty
      }));
  } catch {
    return [];
  }
}

/** There is no active notebook to look in. */
function noNotebook(trans: Trans): IKernelWriteResult {
  return writeFailure(
    'no-notebook',
    trans.__('Open the notebook that asks for the token first: its field is filled in the active notebook.')
  );
}

/** A short label for a candidate, as the panel lists it. */
export function describeCandidate(candidate: FieldCandidate, trans: Trans): string {
  if (candidate.kind === 'widget') {
    const names = candidate.names.length ? ` (${candidate.names.join(', ')})` : '';
    const description = candidate.description.replace(/<[^>]*>/g, '').trim();
    return trans.__('%1 field "%2"%3', candidate.widgetClass, description || trans.__('without description'), names);
  }
  return trans.__('Cell %1, line %2: %3', candidate.cellIndex + 1, candidate.line + 1, candidate.preview);
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
  const ready = await readyPythonKernel(notebook.sessionContext, notebook.path, trans);
  if ('kernel' in ready) {
    const listed = await executeSilently(ready, '', buildListWidgetsExpression(ready.language, trans), trans);
    if ('value' in listed) {
      for (const widget of parseWidgetList(listed.value)) {
        if (
          fieldNameMatches(widget.description, fieldName) ||
          widget.names.some(name => fieldNameMatches(name, fieldName))
        ) {
          candidates.push(widget);
        }
      }
    } else {
      widgetNote = listed.message;
    }
  } else {
    widgetNote = trans.__('Widgets were not searched: %1', ready.message);
  }
  for (const assignment of findAssignmentCandidates(notebook.cells(), fieldName)) {
    candidates.push({ kind: 'assignment', ...assignment });
  }
  if (candidates.length) {
    return { candidates, message: '' };
  }
  const looked = trans.__(
    'No "%1" field found in "%2". Looked for ipywidgets Password or Text fields whose description or variable name matches "%1" (or GitHub token, Personal Access Token, github_token), and for cells that assign a string to such a variable, e.g. github_token = "".',
    fieldName,
    notebook.path
  );
  const hint = widgetNote || trans.__('If the notebook shows a form, run the cell that displays it first.');
  return { candidates: [], message: `${looked} ${hint}` };
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
  // The code holds the token: never to a kernel that logs its requests.
  const executed = await executeWithToken(ready, code, check, trans);
  if (!('value' in executed)) {
    return executed;
  }
  // `[['<id>', <length of the value>]]`: the value itself never comes back.
  const length = Number(/,\s*(-?\d+)\]\]$/.exec(executed.value.trim())?.[1] ?? NaN);
  const label = describeCandidate(candidate, trans);
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
