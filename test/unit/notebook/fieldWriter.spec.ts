import type { ISessionContext } from '@jupyterlab/apputils';
import {
  displayedFields,
  fillNotebookField,
  findNotebookFields,
  INotebookHandle,
  IWidgetCandidate,
  parseWidgetTree
} from '../../../src/notebook/fieldWriter';
import { isTokenAllowedIn, clearTokenConsents } from '../../../src/token/consent';
import { KERNEL_DEBUG_CHECK_EXPRESSION } from '../../../src/kernel/debugCheck';
import { trans } from '../support/trans';

const TOKEN = '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';
const NAMES = ['GITHUB_TOKEN', 'GH_TOKEN'];
const ID = '4ec0c17515004facba0716172ecfcf09';
const ID2 = '936dfeab3bfd4aed95c5ed0001cf8dbf';
const STALE = '0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e';
const BOX = 'aaaabbbbccccddddeeeeffff00001111';
const TAB = '22223333444455556666777788889999';

/** The user expression value as ipykernel returns it: repr of a base64 string. */
function widgetListValue(list: unknown): string {
  return `'${Buffer.from(JSON.stringify(list), 'utf-8').toString('base64')}'`;
}

function reply(value: string, status = 'ok'): unknown {
  return {
    content: {
      status,
      ename: 'NameError',
      user_expressions: { jupyterlab_github_token_set: { status: 'ok', data: { 'text/plain': value } } }
    }
  };
}

/**
 * A kernel answering each execute request with the next queued reply; the
 * debug-logging check gets `debugCheck` (recorded in `checks`, not `requests`).
 */
function fakeKernel(replies: unknown[], status = 'idle', debugCheck = "'quiet'") {
  const requests: Array<Record<string, any>> = [];
  const checks: Array<Record<string, any>> = [];
  const order: string[] = [];
  return {
    id: 'kernel-1',
    status,
    connectionStatus: 'connected',
    info: Promise.resolve({ language_info: { name: 'python' } }),
    requests,
    checks,
    order,
    requestExecute: jest.fn((content: Record<string, any>) => {
      if (Object.values(content.user_expressions ?? {}).includes(KERNEL_DEBUG_CHECK_EXPRESSION)) {
        checks.push(content);
        order.push('check');
        return { done: Promise.resolve(reply(debugCheck)) };
      }
      requests.push(content);
      order.push('code');
      return { done: Promise.resolve(replies.shift()) };
    })
  };
}

/**
 * A notebook handle. `displayed`: the widget outputs it shows (default: the
 * widgets of these tests); `shown`: the length its displayed input has
 * (default: the token's).
 */
function notebook(
  kernel: ReturnType<typeof fakeKernel> | null,
  sources: string[],
  displayed: string[] = [ID, ID2],
  shown: number | null = TOKEN.length
): INotebookHandle & { sources: string[]; displayedValueLength: jest.Mock } {
  const sources_ = [...sources];
  return {
    sources: sources_,
    sessionContext: { session: { kernel }, kernelDisplayName: 'Python 3 (ipykernel)' } as unknown as ISessionContext,
    path: 'work/form.ipynb',
    cells: () => sources_.map(source => ({ cellType: 'code', source })),
    setCellSource: (index, source) => {
      sources_[index] = source;
    },
    displayedWidgetIds: () => displayed,
    displayedValueLength: jest.fn(async () => shown)
  };
}

const PASSWORD = {
  id: ID,
  cls: 'Password',
  description: '*Personal Access Token:',
  names: ['github_token'],
  empty: true
};
const OTHER = { id: ID2, cls: 'Text', description: 'Repository URL', names: ['repo_url'], empty: false };

describe('parseWidgetTree', () => {
  it('decodes the base64 JSON list, unicode included', () => {
    const tree = parseWidgetTree(widgetListValue([{ ...PASSWORD, description: 'Jeton d’accès ✓' }]));
    expect(tree.widgets).toEqual([
      {
        kind: 'widget',
        id: ID,
        widgetClass: 'Password',
        description: 'Jeton d’accès ✓',
        names: ['github_token'],
        empty: true
      }
    ]);
    expect(tree.children.size).toBe(0);
  });

  it('gives nothing for anything else', () => {
    const none = { widgets: [], children: new Map() };
    expect(parseWidgetTree('')).toEqual(none);
    expect(parseWidgetTree("'not base64!'")).toEqual(none);
    expect(parseWidgetTree(widgetListValue({ not: 'a list' }))).toEqual(none);
    expect(parseWidgetTree(widgetListValue([{ id: 3 }, null, PASSWORD])).widgets).toHaveLength(1);
  });

  it('reads fields and containers (children in order, bad ids dropped)', () => {
    const value = widgetListValue([
      PASSWORD,
      OTHER,
      { id: BOX, children: [ID2, ID, 3, ''] },
      { id: TAB, children: [BOX] },
      { id: 7, children: [ID] }
    ]);
    const tree = parseWidgetTree(value);
    expect(tree.widgets.map(w => w.id)).toEqual([ID, ID2]);
    expect([...tree.children]).toEqual([
      [BOX, [ID2, ID]],
      [TAB, [BOX]]
    ]);
  });
});

describe('displayedFields: only what the notebook shows', () => {
  const field = (id: string, widgetClass: string, description: string) => ({
    id,
    cls: widgetClass,
    description,
    names: [],
    empty: true
  });
  const tree = (list: unknown[]) => parseWidgetTree(widgetListValue(list));

  it('leaves out a live widget no output shows (the one a re-run cell replaced), even with the same description', () => {
    const list = tree([field(STALE, 'Password', PASSWORD.description), PASSWORD]);
    expect(displayedFields(list, [ID]).map(w => w.id)).toEqual([ID]);
    expect(displayedFields(list, [])).toEqual([]);
  });

  it('finds the fields of displayed containers at any depth, with their place among the fields of their class', () => {
    const list = tree([
      OTHER,
      PASSWORD,
      field(STALE, 'Password', 'Second password'),
      { id: BOX, children: [ID2, STALE, ID] },
      { id: TAB, children: [BOX] }
    ]);
    expect(displayedFields(list, [TAB])).toEqual([
      expect.objectContaining({ id: ID2, within: { containerId: TAB, index: 0 } }),
      expect.objectContaining({ id: STALE, within: { containerId: TAB, index: 0 } }),
      expect.objectContaining({ id: ID, within: { containerId: TAB, index: 1 } })
    ]);
    // A container no output shows shows nothing.
    expect(displayedFields(list, [])).toEqual([]);
  });

  it("keeps display order (not the kernel's), each field once, and survives a container cycle", () => {
    const list = tree([PASSWORD, OTHER, { id: BOX, children: [ID, BOX, TAB] }, { id: TAB, children: [BOX] }]);
    expect(displayedFields(list, [ID2, ID]).map(w => w.id)).toEqual([ID2, ID]);
    expect(displayedFields(list, [ID, BOX, ID]).map(w => [w.id, w.within])).toEqual([[ID, undefined]]);
    expect(displayedFields(list, [BOX]).map(w => w.id)).toEqual([ID]);
  });
});

describe('findNotebookFields', () => {
  it('lists the matching widgets (not others) through one silent request with no code', async () => {
    const kernel = fakeKernel([reply(widgetListValue([PASSWORD, OTHER]))]);
    const found = await findNotebookFields(notebook(kernel, ['x = 1']), 'GitHub-token', trans);
    expect('candidates' in found && found.candidates.map(c => (c as IWidgetCandidate).id)).toEqual([ID]);
    expect(kernel.requests).toHaveLength(1);
    expect(kernel.requests[0]).toMatchObject({ code: '', silent: true, store_history: false, allow_stdin: false });
  });

  it('matches a widget by its variable name when its description says nothing', async () => {
    const kernel = fakeKernel([reply(widgetListValue([{ ...OTHER, description: '', names: ['GH_TOKEN'] }]))]);
    const found = await findNotebookFields(notebook(kernel, []), 'GitHub-token', trans);
    expect('candidates' in found && found.candidates).toHaveLength(1);
  });

  it('adds assignment cells, and still finds them without a kernel (saying widgets were not searched)', async () => {
    const found = await findNotebookFields(
      notebook(null, ['a = 1', 'github_token = ""  # @param {type:"string"}']),
      'GitHub-token',
      trans
    );
    expect('candidates' in found && found.candidates).toEqual([
      expect.objectContaining({ kind: 'assignment', cellIndex: 1, line: 0, variable: 'github_token', current: 'empty' })
    ]);
  });

  it('with nothing found, says what was looked for and why widgets may be missing', async () => {
    const none = await findNotebookFields(notebook(null, ['x = 1']), 'My-field', trans);
    expect('candidates' in none && none.candidates).toEqual([]);
    expect('message' in none && none.message).toMatch(/No "My-field" field found in "work\/form.ipynb"/);
    expect('message' in none && none.message).toMatch(/Password or Text/);
    expect('message' in none && none.message).toMatch(
      /Widgets were not searched: The notebook "work\/form.ipynb" has no running kernel/
    );
    const kernel = fakeKernel([reply(widgetListValue([]))]);
    const empty = await findNotebookFields(notebook(kernel, []), 'GitHub-token', trans);
    expect('message' in empty && empty.message).toMatch(/run the cell that displays it first/);
  });

  it('offers the displayed field after a re-run, never the stale one the kernel still has', async () => {
    const stale = { ...PASSWORD, id: STALE, names: [] };
    const kernel = fakeKernel([reply(widgetListValue([stale, PASSWORD]))]);
    const found = await findNotebookFields(notebook(kernel, [], [ID]), 'GitHub-token', trans);
    expect('candidates' in found && found.candidates.map(c => (c as IWidgetCandidate).id)).toEqual([ID]);
  });

  it('finds a field inside a displayed container, in display order', async () => {
    const kernel = fakeKernel([
      reply(widgetListValue([PASSWORD, { ...OTHER, description: 'GitHub token' }, { id: BOX, children: [ID] }]))
    ]);
    const found = await findNotebookFields(notebook(kernel, [], [ID2, BOX]), 'GitHub-token', trans);
    expect('candidates' in found && found.candidates).toEqual([
      expect.objectContaining({ id: ID2 }),
      expect.objectContaining({ id: ID, within: { containerId: BOX, index: 0 } })
    ]);
  });

  it('says so when the matching field is alive in the kernel but no cell displays it', async () => {
    const kernel = fakeKernel([reply(widgetListValue([PASSWORD]))]);
    const found = await findNotebookFields(notebook(kernel, [], []), 'GitHub-token', trans);
    expect('candidates' in found && found.candidates).toEqual([]);
    expect('message' in found && found.message).toMatch(/no cell displays it any more/);
  });

  it('tells why the widgets were not searched', async () => {
    const busy = await findNotebookFields(notebook(fakeKernel([], 'busy'), []), 'GitHub-token', trans);
    expect(busy).toMatchObject({ widgetProblem: 'busy' });
    const searched = await findNotebookFields(notebook(fakeKernel([reply(widgetListValue([]))]), []), 'x', trans);
    expect(searched).not.toHaveProperty('widgetProblem');
  });

  it('refuses without a notebook', async () => {
    const result = await findNotebookFields(null, 'GitHub-token', trans);
    expect(result).toMatchObject({ ok: false, problem: 'no-notebook' });
  });
});

describe('fillNotebookField: widgets', () => {
  const candidate: IWidgetCandidate = {
    kind: 'widget',
    id: ID,
    widgetClass: 'Password',
    description: '*Personal Access Token:',
    names: ['github_token'],
    empty: true
  };

  it('sets the value silently and confirms it by length only', async () => {
    const kernel = fakeKernel([reply(`[['${ID}', 40]]`)]);
    const result = await fillNotebookField(notebook(kernel, []), candidate, TOKEN, 'env', NAMES, 'GitHub-token', trans);
    expect(result.ok).toBe(true);
    expect(result.message).toContain('github_token.value');
    expect(result.message).toContain('masked');
    expect(result.message).not.toContain(TOKEN);
    expect(kernel.requests).toHaveLength(1);
    const request = kernel.requests[0];
    expect(request).toMatchObject({ silent: true, store_history: false });
    expect(request.code).toContain(`'${TOKEN}'`);
    expect(request.code).toContain(`'${ID}'`);
    expect(JSON.stringify(request.user_expressions)).not.toContain(TOKEN);
  });

  it('checks for debug logging first, without the token', async () => {
    const kernel = fakeKernel([reply(`[['${ID}', 40]]`)]);
    await fillNotebookField(notebook(kernel, []), candidate, TOKEN, 'env', NAMES, 'GitHub-token', trans);
    expect(kernel.order).toEqual(['check', 'code']);
    expect(JSON.stringify(kernel.checks)).not.toContain(TOKEN);
  });

  it.each([
    ["'debug'", 'kernel-logs-requests'],
    ["'unknown'", 'kernel-logging-unknown']
  ])('refuses a kernel whose check says %s: the widget code is never sent', async (value, problem) => {
    const kernel = fakeKernel([reply(`[['${ID}', 40]]`)], 'idle', value);
    const result = await fillNotebookField(notebook(kernel, []), candidate, TOKEN, 'env', NAMES, 'GitHub-token', trans);
    expect(result).toMatchObject({ ok: false, problem });
    expect(result.message).toContain('Use for new kernels and terminals');
    expect(kernel.requests).toHaveLength(0);
    expect(JSON.stringify(kernel.requestExecute.mock.calls)).not.toContain(TOKEN);
  });

  it('reports a widget that is gone, and an unconfirmed write', async () => {
    const gone = await fillNotebookField(
      notebook(fakeKernel([reply(`[['${ID}', -1]]`)]), []),
      candidate,
      TOKEN,
      'env',
      NAMES,
      'x',
      trans
    );
    expect(gone).toMatchObject({ ok: false, problem: 'changed' });
    const unconfirmed = await fillNotebookField(
      notebook(fakeKernel([reply(`[['${ID}', 0]]`)]), []),
      candidate,
      TOKEN,
      'env',
      NAMES,
      'x',
      trans
    );
    expect(unconfirmed).toMatchObject({ ok: false, problem: 'execution-failed' });
  });

  it("is confirmed only when the displayed field has the token's length too", async () => {
    const nb = notebook(fakeKernel([reply(`[['${ID}', 40]]`)]), [], [ID], 0);
    const result = await fillNotebookField(nb, candidate, TOKEN, 'env', NAMES, 'x', trans);
    expect(result).toMatchObject({ ok: false, problem: 'execution-failed' });
    expect(result.message).toMatch(/has the token, but the field shown does not\. Run the cell that displays the form/);
    expect(result.message).not.toContain(TOKEN);
    expect(nb.displayedValueLength).toHaveBeenCalledWith(ID, 'Password', { within: undefined, expected: 40 });
  });

  it('fails when the field is not displayed any more once filled', async () => {
    const nb = notebook(fakeKernel([reply(`[['${ID}', 40]]`)]), [], [ID], null);
    const result = await fillNotebookField(nb, candidate, TOKEN, 'env', NAMES, 'x', trans);
    expect(result).toMatchObject({ ok: false, problem: 'changed' });
    expect(result.message).toMatch(/does not display that field any more/);
  });

  it('sends nothing to a field no cell displays any more', async () => {
    const kernel = fakeKernel([reply(`[['${ID}', 40]]`)]);
    const result = await fillNotebookField(notebook(kernel, [], [ID2]), candidate, TOKEN, 'env', NAMES, 'x', trans);
    expect(result).toMatchObject({ ok: false, problem: 'changed' });
    expect(kernel.requestExecute).not.toHaveBeenCalled();
  });

  it("looks for a container's field in that container", async () => {
    const inBox: IWidgetCandidate = { ...candidate, within: { containerId: BOX, index: 1 } };
    const nb = notebook(fakeKernel([reply(`[['${ID}', 40]]`)]), [], [BOX]);
    const result = await fillNotebookField(nb, inBox, TOKEN, 'env', NAMES, 'x', trans);
    expect(result.ok).toBe(true);
    expect(nb.displayedValueLength).toHaveBeenCalledWith(ID, 'Password', {
      within: { containerId: BOX, index: 1 },
      expected: 40
    });
  });

  it('warns that a Text field shows the token in clear', async () => {
    const result = await fillNotebookField(
      notebook(fakeKernel([reply(`[['${ID}', 40]]`)]), []),
      { ...candidate, widgetClass: 'Text' },
      TOKEN,
      'env',
      NAMES,
      'x',
      trans
    );
    expect(result.message).toContain('in clear');
  });

  it('refuses a hostile token or model id before sending anything', async () => {
    const kernel = fakeKernel([]);
    const bad = await fillNotebookField(
      notebook(kernel, []),
      candidate,
      "ghp_x');import os#",
      'env',
      NAMES,
      'x',
      trans
    );
    expect(bad).toMatchObject({ ok: false, problem: 'unsafe-input' });
    const badId = await fillNotebookField(
      notebook(kernel, []),
      { ...candidate, id: `${ID.slice(1)}'` },
      TOKEN,
      'env',
      NAMES,
      'x',
      trans
    );
    expect(badId).toMatchObject({ ok: false, problem: 'unsafe-input' });
    expect(kernel.requests).toHaveLength(0);
  });
});

describe('fillNotebookField: assignment cells', () => {
  beforeEach(() => clearTokenConsents());

  it('env: the kernel gets the variables, then the cell reads the environment', async () => {
    const kernel = fakeKernel([reply("['GITHUB_TOKEN', 'GH_TOKEN']")]);
    const nb = notebook(kernel, ['github_token = ""  # @param {type:"string"}']);
    const [candidate] = (
      (await findNotebookFields(notebook(null, nb.sources), 'GitHub-token', trans)) as { candidates: any[] }
    ).candidates;
    const result = await fillNotebookField(nb, candidate, TOKEN, 'env', NAMES, 'GitHub-token', trans);
    expect(result).toMatchObject({ ok: true, variables: NAMES });
    expect(nb.sources[0]).toBe(
      'import os\ngithub_token = os.environ.get("GITHUB_TOKEN", "")  # @param {type:"string"}'
    );
    expect(nb.sources[0]).not.toContain(TOKEN);
    expect(isTokenAllowedIn(nb.path, TOKEN)).toBe(false);
  });

  it('env: a debug-logging kernel gets no token and the cell stays as it was', async () => {
    const kernel = fakeKernel([reply("['GITHUB_TOKEN', 'GH_TOKEN']")], 'idle', "'debug'");
    const nb = notebook(kernel, ['github_token = ""']);
    const [candidate] = (
      (await findNotebookFields(notebook(null, nb.sources), 'GitHub-token', trans)) as { candidates: any[] }
    ).candidates;
    const result = await fillNotebookField(nb, candidate, TOKEN, 'env', NAMES, 'GitHub-token', trans);
    expect(result).toMatchObject({ ok: false, problem: 'kernel-logs-requests' });
    expect(kernel.requests).toHaveLength(0);
    expect(nb.sources[0]).toBe('github_token = ""');
  });

  it('env: a failed kernel write leaves the cell as it was', async () => {
    const nb = notebook(fakeKernel([], 'busy'), ['github_token = ""']);
    const [candidate] = (
      (await findNotebookFields(notebook(null, nb.sources), 'GitHub-token', trans)) as { candidates: any[] }
    ).candidates;
    const result = await fillNotebookField(nb, candidate, TOKEN, 'env', NAMES, 'GitHub-token', trans);
    expect(result).toMatchObject({ ok: false, problem: 'busy' });
    expect(nb.sources[0]).toBe('github_token = ""');
  });

  it('literal: the token goes into the source and the guard is told it was asked for', async () => {
    const kernel = fakeKernel([]);
    const nb = notebook(kernel, ['GITHUB_TOKEN = "paste here"']);
    const [candidate] = (
      (await findNotebookFields(notebook(null, nb.sources), 'GitHub-token', trans)) as { candidates: any[] }
    ).candidates;
    const result = await fillNotebookField(nb, candidate, TOKEN, 'literal', NAMES, 'GitHub-token', trans);
    expect(result.ok).toBe(true);
    expect(result.message).toContain('saved to disk');
    expect(nb.sources[0]).toBe(`GITHUB_TOKEN = "${TOKEN}"`);
    expect(isTokenAllowedIn(nb.path, TOKEN)).toBe(true);
    expect(kernel.requests).toHaveLength(0);
  });

  it('refuses when the cell changed since the search', async () => {
    const nb = notebook(fakeKernel([]), ['github_token = ""']);
    const [candidate] = (
      (await findNotebookFields(notebook(null, nb.sources), 'GitHub-token', trans)) as { candidates: any[] }
    ).candidates;
    nb.sources[0] = 'print("something else")';
    const result = await fillNotebookField(nb, candidate, TOKEN, 'literal', NAMES, 'GitHub-token', trans);
    expect(result).toMatchObject({ ok: false, problem: 'changed' });
    expect(nb.sources[0]).toBe('print("something else")');
  });
});
