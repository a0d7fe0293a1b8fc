/// <reference types="node" />
/**
 * The hostile-input corpus (test/corpus/hostile-strings.json, written by
 * test/corpus/make_hostile_corpus.py) fed through every function that builds
 * kernel code or notebook source from user input.
 *
 * For each string and each path that must refuse it (the corpus lists them per
 * string): the function throws an UnsafeKernelInputError with a machine-readable
 * reason and a non-empty message that does not repeat the string, and a spy on
 * `literals.python` (the only encoder the builders use) proves that no literal
 * was ever built from hostile input. One test per path loops over the corpus.
 */
import type { ISessionContext } from '@jupyterlab/apputils';
import * as fs from 'fs';
import * as path from 'path';
import * as kernelCode from '../../src/kernel/code';
import {
  buildEnvCheckExpression,
  buildListWidgetsExpression,
  buildSetEnvCode,
  buildSetWidgetValueCode,
  buildUnsetEnvCode,
  buildWidgetValueCheckExpression
} from '../../src/kernel/code';
import { describeKernelLanguage, UnsafeKernelInputError, UnsafeKernelInputReason } from '../../src/kernel/validation';
import { writeTokenToKernel } from '../../src/kernel/environment';
import { fillNotebookField } from '../../src/notebook/fieldWriter';
import { rewriteAssignmentToEnvRead, rewriteAssignmentToLiteral } from '../../src/notebook/fields';
import { replaceTokensInPythonSource } from '../../src/python/rewrite';
import { GitHubTokenModel } from '../../src/model/tokenModel';
import { ENV_NAME_POLICY, wholeMatch } from '../../src/policy/policy';
import { trans } from './support/trans';

type PathName = 'token' | 'envName' | 'modelId' | 'language' | 'browser';

interface ICorpus {
  count: number;
  strings: string[];
  group: string[];
  pathsOf: PathName[][];
  payloads: number[];
  groups: Record<string, { count: number; paths: PathName[]; about: string }>;
}

const corpus = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', 'corpus', 'hostile-strings.json'), 'utf-8')
) as ICorpus;
const payloads = new Set(corpus.payloads);

/** A well-formed classic token with a valid checksum (not a real one). */
const TOKEN = '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';
const NAMES = ['GITHUB_TOKEN', 'GH_TOKEN'];
const MODEL_ID = '0123456789abcdef0123456789abcdef';

/** Texts that only a payload contains: a refusal must not show them, even in part. */
const PAYLOAD_MARKERS = ['__import__', 'GHT_SENTINEL', 'ght-sentinel', 'touch '];

/**
 * A refused variable name may be named in the message when it is a plain
 * identifier (the character check comes first, so only such names get this far):
 * "The environment variable PATH is used by the system...". Nothing else may be.
 */
const PLAIN_NAME = wholeMatch(ENV_NAME_POLICY.pattern);

interface IEntry {
  index: number;
  value: string;
  group: string;
}

/** The corpus strings that `pathName` must refuse. */
function entries(pathName: PathName): IEntry[] {
  return corpus.strings
    .map((value, index) => ({ index, value, group: corpus.group[index] }))
    .filter(e => corpus.pathsOf[e.index].includes(pathName));
}

/** Short, printable description of a corpus string for failure lists. */
function label(e: IEntry): string {
  return `#${e.index} [${e.group}] ${JSON.stringify(e.value.slice(0, 50))}`;
}

/** Problems with a refusal message (empty when it is fine). */
function messageProblems(e: IEntry, message: unknown, nameMayBeNamed = false): string[] {
  const problems: string[] = [];
  if (typeof message !== 'string' || message.trim() === '') {
    problems.push('empty message');
    return problems;
  }
  if (e.value.length > 3 && message.includes(e.value) && !(nameMayBeNamed && PLAIN_NAME.test(e.value))) {
    problems.push(`message repeats the string: ${JSON.stringify(message.slice(0, 120))}`);
  }
  for (const marker of PAYLOAD_MARKERS) {
    if (e.value.includes(marker) && message.includes(marker)) {
      problems.push(`message shows part of the payload (${marker}): ${JSON.stringify(message.slice(0, 120))}`);
    }
  }
  return problems;
}

interface IOutcome {
  checked: number;
  failures: string[];
  /** Strings refused, but with a message that repeats them (reported separately). */
  echoes: string[];
  reasons: Record<string, number>;
}

/**
 * Run `call` for every entry; each must throw an UnsafeKernelInputError with a
 * reason from `reasons` and a clear message that does not repeat the string.
 */
function expectRefusals(
  list: IEntry[],
  reasons: UnsafeKernelInputReason[],
  call: (value: string) => unknown
): IOutcome {
  const nameMayBeNamed = reasons.includes('name-invalid');
  const outcome: IOutcome = { checked: 0, failures: [], echoes: [], reasons: {} };
  for (const e of list) {
    outcome.checked++;
    let thrown: unknown = undefined;
    let returned: unknown = undefined;
    try {
      returned = call(e.value);
    } catch (error) {
      thrown = error;
    }
    if (!(thrown instanceof UnsafeKernelInputError)) {
      const what =
        thrown === undefined ? `returned ${JSON.stringify(String(returned).slice(0, 80))}` : `threw ${String(thrown)}`;
      outcome.failures.push(`${label(e)}: not refused (${what})`);
      continue;
    }
    outcome.reasons[thrown.reason] = (outcome.reasons[thrown.reason] ?? 0) + 1;
    if (!reasons.includes(thrown.reason)) {
      outcome.failures.push(`${label(e)}: unexpected reason ${thrown.reason}`);
    }
    if (thrown.name !== 'UnsafeKernelInputError' || !(thrown instanceof Error)) {
      outcome.failures.push(`${label(e)}: not an Error named UnsafeKernelInputError`);
    }
    for (const problem of messageProblems(e, thrown.message, nameMayBeNamed)) {
      (problem.startsWith('message') ? outcome.echoes : outcome.failures).push(`${label(e)}: ${problem}`);
    }
  }
  return outcome;
}

const TOKEN_REASONS: UnsafeKernelInputReason[] = ['token-empty', 'token-length', 'token-characters'];
const NAME_REASONS: UnsafeKernelInputReason[] = ['name-invalid'];
const WIDGET_REASONS: UnsafeKernelInputReason[] = ['widget-invalid'];
const LANGUAGE_REASONS: UnsafeKernelInputReason[] = ['language'];

/** Per path: how many strings were checked (printed once at the end). */
const summary: Record<string, number> = {};
/** Refusals that repeated the string, per path (asserted by their own tests). */
const echoes: Record<string, string[]> = {};

let literal: jest.SpyInstance;

beforeEach(() => {
  literal = jest.spyOn(kernelCode.literals, 'python');
});

afterEach(() => {
  literal.mockRestore();
});

afterAll(() => {
  const lines = Object.entries(summary).map(([name, n]) => `  ${name}: ${n}`);
  console.log(`hostile corpus: ${corpus.count} strings, ${corpus.payloads.length} with payloads\n${lines.join('\n')}`);
});

/** Assert an outcome and record it under `name`. */
function check(name: string, outcome: IOutcome, allowEchoes = false): void {
  summary[name] = outcome.checked;
  echoes[name] = outcome.echoes;
  expect(outcome.failures).toEqual([]);
  if (!allowEchoes) {
    expect(outcome.echoes).toEqual([]);
  }
  expect(literal).not.toHaveBeenCalled();
  expect(outcome.checked).toBeGreaterThan(0);
}

describe('the corpus', () => {
  it('has at least 1000 distinct strings, grouped, each with the paths that must refuse it', () => {
    expect(corpus.count).toBe(corpus.strings.length);
    expect(corpus.strings.length).toBeGreaterThanOrEqual(1000);
    expect(new Set(corpus.strings).size).toBe(corpus.strings.length);
    expect(corpus.group).toHaveLength(corpus.count);
    expect(corpus.pathsOf).toHaveLength(corpus.count);
    const total = Object.values(corpus.groups).reduce((n, g) => n + g.count, 0);
    expect(total).toBe(corpus.count);
    const wrong: string[] = [];
    for (const [i, s] of corpus.strings.entries()) {
      const missing = corpus.groups[corpus.group[i]].paths.filter(p => !corpus.pathsOf[i].includes(p));
      if (missing.length) {
        wrong.push(`#${i}: not listed for ${missing.join(', ')}`);
      }
      // Payloads name their own index, and only payloads name one.
      const named = Array.from(s.matchAll(/append\((\d+)\)|ght-sentinel-(?:decoy-)?(\d+)/g), m => Number(m[1] ?? m[2]));
      if (named.some(n => n !== i) || (named.length > 0 && !payloads.has(i))) {
        wrong.push(`#${i}: names ${named.join(', ')}`);
      }
    }
    expect(wrong).toEqual([]);
    // Every group the issue asks for is there.
    for (const group of [
      'quote-breakout',
      'newline',
      'control-char',
      'lookalike',
      'one-bad-char',
      'long',
      'empty-whitespace',
      'python-code',
      'shell',
      'json-html-js',
      'magic',
      'surrogate',
      'emoji',
      'encoding',
      'reserved-env-name',
      'model-id-lookalike'
    ]) {
      expect(corpus.groups[group]?.count).toBeGreaterThan(0);
    }
    expect(corpus.strings.some(s => s.length >= 64 * 1024)).toBe(true);
    expect(corpus.strings).toContain('');
    expect(corpus.strings.some(s => /^[A-Za-z0-9_]{256}$/.test(s))).toBe(true);
    expect(corpus.strings.some(s => s.includes('\u0000'))).toBe(true);
    expect(corpus.strings.some(s => /[\ud800-\udbff](?![\udc00-\udfff])/.test(s))).toBe(true);
  });

  it('the spy sees the literals built from valid input (so its silence means something)', () => {
    buildSetEnvCode('python', TOKEN, NAMES, trans);
    expect(literal).toHaveBeenCalledWith(TOKEN);
    expect(literal).toHaveBeenCalledWith('GITHUB_TOKEN');
    literal.mockClear();
    buildSetWidgetValueCode('python3', [MODEL_ID], TOKEN, trans);
    expect(literal).toHaveBeenCalledWith(TOKEN);
    expect(literal).toHaveBeenCalledWith(MODEL_ID);
  });
});

describe('kernel code builders refuse every hostile string before building anything', () => {
  it('buildSetEnvCode: token', () => {
    check(
      'buildSetEnvCode token',
      expectRefusals(entries('token'), TOKEN_REASONS, s => buildSetEnvCode('python', s, NAMES, trans))
    );
  });

  it('buildSetEnvCode: variable names (alone and after a valid one)', () => {
    check(
      'buildSetEnvCode names',
      expectRefusals(entries('envName'), NAME_REASONS, s => buildSetEnvCode('python', TOKEN, [s], trans))
    );
    check(
      'buildSetEnvCode names[1]',
      expectRefusals(entries('envName'), NAME_REASONS, s =>
        buildSetEnvCode('python', TOKEN, ['GITHUB_TOKEN', s], trans)
      )
    );
  });

  it('buildUnsetEnvCode: variable names', () => {
    check(
      'buildUnsetEnvCode names',
      expectRefusals(entries('envName'), NAME_REASONS, s => buildUnsetEnvCode('python', [s], trans))
    );
    check(
      'buildUnsetEnvCode names[1]',
      expectRefusals(entries('envName'), NAME_REASONS, s => buildUnsetEnvCode('python', ['GH_TOKEN', s], trans))
    );
  });

  it('buildEnvCheckExpression: variable names', () => {
    check(
      'buildEnvCheckExpression names',
      expectRefusals(entries('envName'), NAME_REASONS, s => buildEnvCheckExpression('python', [s], trans))
    );
    check(
      'buildEnvCheckExpression names[1]',
      expectRefusals(entries('envName'), NAME_REASONS, s => buildEnvCheckExpression('python', ['GH_TOKEN', s], trans))
    );
  });

  it('buildSetWidgetValueCode: token', () => {
    check(
      'buildSetWidgetValueCode token',
      expectRefusals(entries('token'), TOKEN_REASONS, s => buildSetWidgetValueCode('python', [MODEL_ID], s, trans))
    );
  });

  it('buildSetWidgetValueCode: model ids (alone and after a valid one)', () => {
    check(
      'buildSetWidgetValueCode modelIds',
      expectRefusals(entries('modelId'), WIDGET_REASONS, s => buildSetWidgetValueCode('python', [s], TOKEN, trans))
    );
    check(
      'buildSetWidgetValueCode modelIds[1]',
      expectRefusals(entries('modelId'), WIDGET_REASONS, s =>
        buildSetWidgetValueCode('python', [MODEL_ID, s], TOKEN, trans)
      )
    );
  });

  it('buildWidgetValueCheckExpression: model ids', () => {
    check(
      'buildWidgetValueCheckExpression modelIds',
      expectRefusals(entries('modelId'), WIDGET_REASONS, s => buildWidgetValueCheckExpression('python', [s], trans))
    );
    check(
      'buildWidgetValueCheckExpression modelIds[1]',
      expectRefusals(entries('modelId'), WIDGET_REASONS, s =>
        buildWidgetValueCheckExpression('python', [MODEL_ID, s], trans)
      )
    );
  });

  // The language (from the kernel's info) is an input of every builder.
  const languageCalls: Array<[string, (s: string) => unknown]> = [
    ['buildSetEnvCode', s => buildSetEnvCode(s, TOKEN, NAMES, trans)],
    ['buildUnsetEnvCode', s => buildUnsetEnvCode(s, NAMES, trans)],
    ['buildEnvCheckExpression', s => buildEnvCheckExpression(s, NAMES, trans)],
    ['buildSetWidgetValueCode', s => buildSetWidgetValueCode(s, [MODEL_ID], TOKEN, trans)],
    ['buildWidgetValueCheckExpression', s => buildWidgetValueCheckExpression(s, [MODEL_ID], trans)],
    ['buildListWidgetsExpression', s => buildListWidgetsExpression(s, trans)]
  ];
  for (const [name, call] of languageCalls) {
    it(`${name}: language`, () => {
      // Echoes are asserted below, in their own test.
      check(`${name} language`, expectRefusals(entries('language'), LANGUAGE_REASONS, call), true);
    });
  }
});

describe('a refused language is not shown back to the user', () => {
  // The kernel reports its language itself: the refusal names it only when it
  // looks like a language name ("this kernel runs julia", which helps), and
  // says "an unknown language" for anything else the corpus holds.
  const nameLike = (e: IEntry) => /^[A-Za-z][A-Za-z0-9 +#._-]{0,29}$/.test(e.value.trim());

  it('plain names are the only ones shown', () => {
    expect(describeKernelLanguage('julia', trans)).toBe('julia');
    expect(describeKernelLanguage("R'); import os #", trans)).toBe('an unknown language');
    expect(entries('language').filter(e => !nameLike(e)).length).toBeGreaterThan(1000);
  });

  it('by the builders', () => {
    const outcome = expectRefusals(
      entries('language').filter(e => !nameLike(e)),
      LANGUAGE_REASONS,
      s => buildListWidgetsExpression(s, trans)
    );
    expect(outcome.failures).toEqual([]);
    const strings = new Set(outcome.echoes.map(e => e.split(' ')[0])).size;
    expect({ strings, first: outcome.echoes.slice(0, 5) }).toEqual({ strings: 0, first: [] });
  });

  it('by writeTokenToKernel', async () => {
    const echoed: string[] = [];
    for (const e of entries('language').filter(e => !nameLike(e))) {
      const { context } = fakeContext(e.value);
      const result = await writeTokenToKernel(context, 'a.ipynb', TOKEN, NAMES, trans);
      echoed.push(...messageProblems(e, result.message).map(p => `${label(e)}: ${p}`));
    }
    const strings = new Set(echoed.map(e => e.split(' ')[0])).size;
    expect({ strings, first: echoed.slice(0, 5) }).toEqual({ strings: 0, first: [] });
  });
});

// --------------------------------------------------------------------------
// The composed path: writeTokenToKernel with a fake idle Python kernel
// --------------------------------------------------------------------------

interface IFakeKernel {
  status: string;
  connectionStatus: string;
  info: Promise<{ language_info: { name: string } }>;
  requestExecute: jest.Mock;
}

function fakeContext(language = 'python'): { context: ISessionContext; kernel: IFakeKernel } {
  const kernel: IFakeKernel = {
    status: 'idle',
    connectionStatus: 'connected',
    info: Promise.resolve({ language_info: { name: language } }),
    requestExecute: jest.fn(() => {
      throw new Error('an execute request was sent');
    })
  };
  return {
    kernel,
    context: { session: { kernel }, kernelDisplayName: 'Python 3 (ipykernel)' } as unknown as ISessionContext
  };
}

describe('writeTokenToKernel sends nothing for hostile input', () => {
  async function refusedWrites(
    list: IEntry[],
    write: (value: string, context: ISessionContext) => Promise<unknown>,
    problem: string,
    nameMayBeNamed = false
  ) {
    const failures: string[] = [];
    const echoed: string[] = [];
    let sent = 0;
    for (const e of list) {
      const { context, kernel } = fakeContext();
      const result = (await write(e.value, context)) as { ok: boolean; problem?: string; message: string };
      sent += kernel.requestExecute.mock.calls.length;
      if (result.ok !== false || result.problem !== problem) {
        failures.push(`${label(e)}: ${JSON.stringify(result).slice(0, 120)}`);
      }
      for (const p of messageProblems(e, result.message, nameMayBeNamed)) {
        (p.startsWith('message') ? echoed : failures).push(`${label(e)}: ${p}`);
      }
    }
    return { failures, echoed, sent };
  }

  it('hostile tokens and variable names: refused as unsafe input, no execute request', async () => {
    const tokens = await refusedWrites(
      entries('token'),
      (s, c) => writeTokenToKernel(c, 'a.ipynb', s, NAMES, trans),
      'unsafe-input'
    );
    const names = await refusedWrites(
      entries('envName'),
      (s, c) => writeTokenToKernel(c, 'a.ipynb', TOKEN, ['GITHUB_TOKEN', s], trans),
      'unsafe-input',
      true
    );
    summary['writeTokenToKernel token'] = entries('token').length;
    summary['writeTokenToKernel names'] = entries('envName').length;
    expect(tokens.failures).toEqual([]);
    expect(tokens.echoed).toEqual([]);
    expect(names.failures).toEqual([]);
    expect(names.echoed).toEqual([]);
    expect(tokens.sent + names.sent).toBe(0);
    expect(literal).not.toHaveBeenCalled();
  });

  it('a kernel reporting a hostile language: refused as unsupported, no execute request', async () => {
    const failures: string[] = [];
    let sent = 0;
    for (const e of entries('language')) {
      const { context, kernel } = fakeContext(e.value);
      const result = await writeTokenToKernel(context, 'a.ipynb', TOKEN, NAMES, trans);
      sent += kernel.requestExecute.mock.calls.length;
      if (result.ok !== false || result.problem !== 'unsupported-language' || !result.message) {
        failures.push(`${label(e)}: ${JSON.stringify(result).slice(0, 120)}`);
      }
    }
    summary['writeTokenToKernel language'] = entries('language').length;
    expect(failures).toEqual([]);
    expect(sent).toBe(0);
    expect(literal).not.toHaveBeenCalled();
  });
});

// --------------------------------------------------------------------------
// The panel's model: what the token field leads to
// --------------------------------------------------------------------------

describe('the panel model holds no token for any hostile string', () => {
  it('typed into the token field: a format error, and no kernel write or field fill is attempted', async () => {
    const writeToKernel = jest.fn();
    const findFields = jest.fn();
    const fillField = jest.fn();
    const model = new GitHubTokenModel({
      trans,
      requestVerification: jest.fn(),
      writeToKernel,
      findFields,
      fillField
    } as any);
    const failures: string[] = [];
    let emptyField = 0;
    for (const e of entries('browser')) {
      // <input type=password> strips CR and LF from its value (HTML value sanitization).
      const typed = e.value.replace(/[\r\n]/g, '');
      model.draft = typed;
      if (model.hasToken) {
        failures.push(`${label(e)}: accepted as a token`);
        continue;
      }
      if (typed === '') {
        // Nothing typed: the panel shows its hint, there is no format to report.
        emptyField++;
        expect(model.format).toBeNull();
      } else {
        const errors = model.format?.issues.filter(i => i.severity === 'error') ?? [];
        if (!errors.length) {
          failures.push(`${label(e)}: no format error`);
        }
        for (const issue of errors) {
          for (const p of messageProblems(e, issue.message)) {
            failures.push(`${label(e)}: ${p}`);
          }
        }
      }
      if ((await model.writeToKernel()) !== null) {
        failures.push(`${label(e)}: writeToKernel did not refuse`);
      }
      const field = (model as any).writeToNotebookField;
      if (typeof field === 'function' && (await field.call(model)) !== null) {
        failures.push(`${label(e)}: writeToNotebookField did not refuse`);
      }
    }
    summary['panel model (token field)'] = entries('browser').length;
    console.log(`panel model: ${emptyField} strings leave the field empty once CR/LF are stripped`);
    expect(failures).toEqual([]);
    expect(writeToKernel).not.toHaveBeenCalled();
    expect(findFields).not.toHaveBeenCalled();
    expect(fillField).not.toHaveBeenCalled();
    expect(literal).not.toHaveBeenCalled();
  });
});

// --------------------------------------------------------------------------
// Notebook source rewriting (src/notebook/fields.ts, src/python/rewrite.ts)
// and the notebook field writer (src/notebook/fieldWriter.ts)
// --------------------------------------------------------------------------

const ASSIGNMENT_CELL = 'import os\ngithub_token = ""\nprint(len(github_token))\n';

describe('notebook source rewriting refuses hostile tokens and names', () => {
  it('rewriteAssignmentToLiteral: token', () => {
    check(
      'rewriteAssignmentToLiteral token',
      expectRefusals(entries('token'), TOKEN_REASONS, s => rewriteAssignmentToLiteral(ASSIGNMENT_CELL, 1, s, trans))
    );
  });

  it('rewriteAssignmentToEnvRead: variable name', () => {
    check(
      'rewriteAssignmentToEnvRead envName',
      expectRefusals(entries('envName'), NAME_REASONS, s => rewriteAssignmentToEnvRead(ASSIGNMENT_CELL, 1, s, trans))
    );
  });

  it('replaceTokensInPythonSource: variable name', () => {
    const source = `import os\ntoken = "${TOKEN}"\nheaders = {"Authorization": "token ${TOKEN}"}\n`;
    check(
      'replaceTokensInPythonSource envName',
      expectRefusals(entries('envName'), NAME_REASONS, s => replaceTokensInPythonSource(source, s, trans))
    );
  });

  it('fillNotebookField: a widget whose model id is hostile gets nothing', async () => {
    const failures: string[] = [];
    let sent = 0;
    for (const e of entries('modelId')) {
      const { context, kernel } = fakeContext();
      const notebook = {
        sessionContext: context,
        path: 'a.ipynb',
        cells: () => [],
        setCellSource: jest.fn(),
        displayedWidgetIds: () => [e.value],
        displayedValueLength: async () => null
      };
      const candidate = {
        kind: 'widget' as const,
        id: e.value,
        widgetClass: 'Password',
        description: 'GitHub token',
        names: ['t'],
        empty: true
      };
      const result = await fillNotebookField(notebook, candidate, TOKEN, 'env', NAMES, 'GitHub-token', trans);
      sent += kernel.requestExecute.mock.calls.length;
      if (result.ok !== false || result.problem !== 'unsafe-input') {
        failures.push(`${label(e)}: ${JSON.stringify(result).slice(0, 120)}`);
      }
      for (const p of messageProblems(e, result.message)) {
        failures.push(`${label(e)}: ${p}`);
      }
    }
    summary['fillNotebookField widget id'] = entries('modelId').length;
    expect(failures).toEqual([]);
    expect(sent).toBe(0);
    expect(literal).not.toHaveBeenCalled();
  });
});
