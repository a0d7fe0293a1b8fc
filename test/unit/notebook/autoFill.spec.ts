/**
 * The self-filling notebook fields: asked once per displayed empty field,
 * filled at once with `always`, nothing with `never` or without a held
 * token, failures reported, and one look per burst of output changes.
 */
import { IAutoFillDeps, NotebookAutoFill } from '../../../src/notebook/autoFill';
import type {
  FieldCandidate,
  IFieldSearch,
  INotebookHandle,
  IWidgetCandidate
} from '../../../src/notebook/fieldWriter';
import type { IKernelWriteResult } from '../../../src/kernel/environment';
import type { FillNotebookFields } from '../../../src/settings';
import { trans } from '../support/trans';

const ID = '4ec0c17515004facba0716172ecfcf09';
const ID2 = '936dfeab3bfd4aed95c5ed0001cf8dbf';
const DEBOUNCE = 100;

const field = (
  id: string,
  empty = true,
  description = '*Personal Access Token:',
  widgetClass = 'Password'
): IWidgetCandidate => ({
  kind: 'widget',
  id,
  widgetClass,
  description,
  names: ['github_token'],
  empty
});
const assignment: FieldCandidate = {
  kind: 'assignment',
  cellIndex: 0,
  line: 0,
  variable: 'github_token',
  current: 'empty',
  preview: 'github_token = ""'
};
const filled: IKernelWriteResult = { ok: true, message: 'Filled', variables: [] };

function handle(displayed: string[], path = 'work/form.ipynb'): INotebookHandle {
  return {
    sessionContext: {} as INotebookHandle['sessionContext'],
    path,
    cells: () => [],
    setCellSource: () => undefined,
    displayedWidgetIds: () => displayed,
    displayedValueLength: async () => null
  };
}

function setUp(options: {
  mode?: FillNotebookFields;
  held?: { login: string | null } | null;
  found?: Array<IFieldSearch | IKernelWriteResult>;
  fill?: IKernelWriteResult | null | Error;
}) {
  const found = options.found ?? [{ candidates: [field(ID)], message: '' }];
  const deps = {
    trans,
    debounceMs: DEBOUNCE,
    mode: jest.fn(() => options.mode ?? 'ask'),
    held: jest.fn(async () => (options.held === undefined ? { login: 'octocat' } : options.held)),
    find: jest.fn(async () => (found.length > 1 ? found.shift()! : found[0])),
    fill: jest.fn(async () => {
      if (options.fill instanceof Error) {
        throw options.fill;
      }
      return options.fill === undefined ? filled : options.fill;
    }),
    notify: { ask: jest.fn(), success: jest.fn(), failure: jest.fn() }
  } satisfies IAutoFillDeps;
  return { deps, autoFill: new NotebookAutoFill(deps) };
}

/** Let the debounce pass and every promise settle. */
async function settle(ms = DEBOUNCE) {
  await jest.advanceTimersByTimeAsync(ms);
  await jest.advanceTimersByTimeAsync(0);
}

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('NotebookAutoFill', () => {
  it('ask: one notification naming the field, the notebook and the account; "Fill" fills it', async () => {
    const { deps, autoFill } = setUp({});
    const nb = handle([ID]);
    autoFill.displayedWidgetsChanged(nb);
    await settle();
    expect(deps.notify.ask).toHaveBeenCalledTimes(1);
    const [message, label, onFill] = deps.notify.ask.mock.calls[0];
    expect(message).toBe(
      '"form.ipynb" shows the Password field "*Personal Access Token:" (github_token). Fill it with the GitHub token of octocat?'
    );
    expect(message.length).toBeLessThanOrEqual(140);
    expect(label).toBe('Fill');
    expect(deps.fill).not.toHaveBeenCalled();
    onFill();
    await settle(0);
    expect(deps.fill).toHaveBeenCalledWith(nb, field(ID));
    expect(deps.notify.success).toHaveBeenCalledWith(expect.stringContaining('Filled the Password field'));
  });

  it('asks once per widget, however often the outputs change, and again for a new widget', async () => {
    const { deps, autoFill } = setUp({});
    autoFill.displayedWidgetsChanged(handle([ID]));
    await settle();
    autoFill.displayedWidgetsChanged(handle([ID]));
    await settle();
    expect(deps.notify.ask).toHaveBeenCalledTimes(1);
    // Nothing new displayed: the server is not even asked.
    expect(deps.held).toHaveBeenCalledTimes(1);
    deps.find.mockResolvedValue({ candidates: [field(ID), field(ID2, true, 'GitHub PAT')], message: '' });
    autoFill.displayedWidgetsChanged(handle([ID, ID2]));
    await settle();
    expect(deps.notify.ask).toHaveBeenCalledTimes(2);
    expect(deps.notify.ask.mock.calls[1][0]).toBe(
      '"form.ipynb" shows the Password field "GitHub PAT" (github_token). Fill it with the GitHub token of octocat?'
    );
    // The same widget in another notebook is another field.
    autoFill.displayedWidgetsChanged(handle([ID], 'other.ipynb'));
    await settle();
    expect(deps.notify.ask).toHaveBeenCalledTimes(3);
  });

  it('debounces: a burst of output changes (one cell run) looks once', async () => {
    const { deps, autoFill } = setUp({});
    for (let i = 0; i < 5; i++) {
      autoFill.displayedWidgetsChanged(handle([ID]));
      await jest.advanceTimersByTimeAsync(DEBOUNCE / 2);
    }
    expect(deps.find).not.toHaveBeenCalled();
    await settle();
    expect(deps.find).toHaveBeenCalledTimes(1);
    expect(deps.notify.ask).toHaveBeenCalledTimes(1);
  });

  it('always: fills at once and reports success; never the same widget twice', async () => {
    const { deps, autoFill } = setUp({ mode: 'always' });
    autoFill.displayedWidgetsChanged(handle([ID]));
    await settle();
    autoFill.displayedWidgetsChanged(handle([ID, ID2]));
    await settle();
    expect(deps.notify.ask).not.toHaveBeenCalled();
    expect(deps.fill).toHaveBeenCalledTimes(1);
    expect(deps.notify.success).toHaveBeenCalledWith(
      'Filled the Password field "*Personal Access Token:" (github_token) in "form.ipynb" (masked).'
    );
  });

  it('never: nothing, not even a look', async () => {
    const { deps, autoFill } = setUp({ mode: 'never' });
    autoFill.displayedWidgetsChanged(handle([ID]));
    await settle();
    expect(deps.held).not.toHaveBeenCalled();
    expect(deps.find).not.toHaveBeenCalled();
    expect(deps.notify.ask).not.toHaveBeenCalled();
  });

  it('no token held: nothing, and the field is offered once a token is held', async () => {
    const { deps, autoFill } = setUp({ held: null });
    autoFill.displayedWidgetsChanged(handle([ID]));
    await settle();
    expect(deps.find).not.toHaveBeenCalled();
    expect(deps.notify.ask).not.toHaveBeenCalled();
    deps.held.mockResolvedValue({ login: null });
    autoFill.displayedWidgetsChanged(handle([ID]));
    await settle();
    expect(deps.notify.ask.mock.calls[0][0]).toContain('with the GitHub token the server holds?');
  });

  it('offers only empty widget fields: never an assignment cell, nor a field the user filled', async () => {
    const { deps, autoFill } = setUp({
      mode: 'always',
      found: [{ candidates: [assignment, field(ID, false)], message: '' }]
    });
    autoFill.displayedWidgetsChanged(handle([ID]));
    await settle();
    expect(deps.fill).not.toHaveBeenCalled();
    expect(deps.notify.ask).not.toHaveBeenCalled();
  });

  it('never offers a Text field: it would show the token in clear; a Password beside it is offered', async () => {
    for (const mode of ['ask', 'always'] as const) {
      const text = field(ID2, true, 'GitHub token', 'Text');
      const { deps, autoFill } = setUp({ mode, found: [{ candidates: [text], message: '' }] });
      autoFill.displayedWidgetsChanged(handle([ID2]));
      await settle();
      expect(deps.find).toHaveBeenCalledTimes(1);
      expect(deps.notify.ask).not.toHaveBeenCalled();
      expect(deps.fill).not.toHaveBeenCalled();
      // With a Password field displayed too, only that one.
      deps.find.mockResolvedValue({ candidates: [text, field(ID)], message: '' });
      autoFill.displayedWidgetsChanged(handle([ID2, ID]));
      await settle();
      if (mode === 'ask') {
        expect(deps.notify.ask).toHaveBeenCalledTimes(1);
        expect(deps.notify.ask.mock.calls[0][0]).not.toContain('Text field');
        deps.notify.ask.mock.calls[0][2]();
        await settle(0);
      }
      expect(deps.fill).toHaveBeenCalledTimes(1);
      expect(deps.fill).toHaveBeenCalledWith(expect.anything(), field(ID));
    }
  });

  it('reports a failed fill, a thrown one, and a token gone in between', async () => {
    for (const fill of [
      { ok: false, problem: 'execution-failed', message: 'The field shown does not hold it.', variables: [] },
      new Error('kernel gone'),
      null
    ] as const) {
      const { deps, autoFill } = setUp({ mode: 'always', fill: fill as IKernelWriteResult | null | Error });
      autoFill.displayedWidgetsChanged(handle([ID]));
      await settle();
      expect(deps.notify.success).not.toHaveBeenCalled();
      expect(deps.notify.failure).toHaveBeenCalledTimes(1);
      expect(deps.notify.failure.mock.calls[0][0]).toMatch(/^Not filled \(form\.ipynb\): /);
    }
  });

  it('while the form cell still runs (kernel busy), looks again, then asks once', async () => {
    const busy = { candidates: [], message: '', widgetProblem: 'busy' as const };
    const { deps, autoFill } = setUp({ found: [busy, busy, { candidates: [field(ID)], message: '' }] });
    autoFill.displayedWidgetsChanged(handle([ID]));
    await settle();
    expect(deps.notify.ask).not.toHaveBeenCalled();
    await settle();
    await settle();
    expect(deps.find).toHaveBeenCalledTimes(3);
    expect(deps.notify.ask).toHaveBeenCalledTimes(1);
    await settle();
    expect(deps.find).toHaveBeenCalledTimes(3);
  });

  it('a look that failed (no kernel yet) is tried again on the next change', async () => {
    const { deps, autoFill } = setUp({
      found: [
        { ok: false, problem: 'no-kernel', message: 'no kernel', variables: [] },
        { candidates: [field(ID)], message: '' }
      ]
    });
    autoFill.displayedWidgetsChanged(handle([ID]));
    await settle();
    await settle();
    expect(deps.find).toHaveBeenCalledTimes(1);
    autoFill.displayedWidgetsChanged(handle([ID]));
    await settle();
    expect(deps.notify.ask).toHaveBeenCalledTimes(1);
  });
});
