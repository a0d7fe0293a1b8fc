import * as fs from 'fs';
import * as path from 'path';

import { ENV_NAME_POLICY, TOKEN_POLICY, WIDGET_MODEL_ID_POLICY } from '../../../src/policy/policy';
import {
  assertSafeEnvName,
  assertSafeEnvNames,
  assertSafeModelIds,
  assertSafeToken,
  assertSupportedLanguage,
  describeKernelLanguage,
  isSupportedKernelLanguage,
  UnsafeKernelInputError
} from '../../../src/kernel/validation';
import { trans } from '../support/trans';
import { messageOf, reasonOf } from './refusal';

describe('isSupportedKernelLanguage', () => {
  it.each(['python', 'Python', 'python3', 'PYTHON3', 'ipython', 'ipython3', 'python2'])('%s is supported', language =>
    expect(isSupportedKernelLanguage(language)).toBe(true)
  );
  it.each([undefined, '', 'R', 'julia', 'javascript', 'python 3', 'pythonx', 'c++', 'python;rm'])(
    '%p is not supported',
    language => expect(isSupportedKernelLanguage(language)).toBe(false)
  );
});

describe('describeKernelLanguage and assertSupportedLanguage', () => {
  it('shows a plain language name, and nothing a kernel could choose otherwise', () => {
    expect(describeKernelLanguage('julia', trans)).toBe('julia');
    expect(describeKernelLanguage(' Wolfram Language ', trans)).toBe('Wolfram Language');
    expect(describeKernelLanguage(undefined, trans)).toBe('an unknown language');
    expect(describeKernelLanguage("R'); import os #", trans)).toBe('an unknown language');
    expect(describeKernelLanguage('x'.repeat(31), trans)).toBe('an unknown language');
  });

  it('refuses anything but Python with reason language, naming the language', () => {
    expect(() => assertSupportedLanguage('python3', trans)).not.toThrow();
    expect(reasonOf(() => assertSupportedLanguage('R', trans))).toBe('language');
    expect(messageOf(() => assertSupportedLanguage('R', trans))).toContain('this kernel runs R.');
  });
});

describe('assertSafeToken follows the token policy', () => {
  it('accepts the longest token of the charset and refuses one character more', () => {
    expect(() => assertSafeToken('_'.repeat(TOKEN_POLICY.maxLength), trans)).not.toThrow();
    expect(reasonOf(() => assertSafeToken('_'.repeat(TOKEN_POLICY.maxLength + 1), trans))).toBe('token-length');
    expect(messageOf(() => assertSafeToken('_'.repeat(TOKEN_POLICY.maxLength + 1), trans))).toContain(
      `at most ${TOKEN_POLICY.maxLength}`
    );
  });
});

describe('assertSafeEnvName', () => {
  it('accepts ordinary names', () => {
    for (const name of ['GITHUB_TOKEN', 'GH_TOKEN', '_private_token', 'pat', 'A'.repeat(123) + 'TOKEN', 'MY_PAT']) {
      expect(() => assertSafeEnvName(name, trans)).not.toThrow();
    }
  });

  /** Shared with test/python/test_server_units.py: the server decides the same. */
  const NAME_CASES = JSON.parse(
    fs.readFileSync(path.join(__dirname, '..', '..', 'corpus', 'env-name-cases.json'), 'utf-8')
  ) as {
    messages: Record<string, string>;
    cases: Array<{ name: string; ok: boolean; rule: string | null }>;
  };

  it.each(NAME_CASES.cases.map(c => [JSON.stringify(c.name).slice(0, 40), c] as const))(
    'shared case %s',
    (_label, c) => {
      if (c.ok) {
        expect(() => assertSafeEnvName(c.name, trans)).not.toThrow();
      } else {
        expect(reasonOf(() => assertSafeEnvName(c.name, trans))).toBe('name-invalid');
        expect(messageOf(() => assertSafeEnvName(c.name, trans))).toContain(NAME_CASES.messages[c.rule!]);
      }
    }
  );

  it('explains why a reserved name is refused, naming it', () => {
    const message = messageOf(() => assertSafeEnvName('git_askpass', trans));
    expect(message).toContain('git_askpass');
    expect(message).toContain('GITHUB_TOKEN');
  });

  it.each(ENV_NAME_POLICY.reserved.flatMap(name => [name, name.toLowerCase()]))(
    'refuses the reserved name %s, in any case',
    name => {
      expect(reasonOf(() => assertSafeEnvName(name, trans))).toBe('name-invalid');
      expect(messageOf(() => assertSafeEnvName(name, trans))).toContain(NAME_CASES.messages.reserved);
    }
  );

  it.each(ENV_NAME_POLICY.reservedPrefixes)(
    'refuses names under the reserved prefix %s, even token-like ones',
    prefix => {
      for (const name of [`${prefix}TOKEN`, `${prefix.toLowerCase()}token`]) {
        expect(messageOf(() => assertSafeEnvName(name, trans))).toContain(NAME_CASES.messages.reserved);
      }
    }
  );

  it('accepts as many names as the policy allows, and no more', () => {
    const names = Array.from({ length: ENV_NAME_POLICY.maxNames + 1 }, (_, i) => `T${i}_TOKEN`);
    expect(() => assertSafeEnvNames(names.slice(1), trans)).not.toThrow();
    expect(reasonOf(() => assertSafeEnvNames(names, trans))).toBe('name-invalid');
    expect(messageOf(() => assertSafeEnvNames(names, trans))).toContain(`at most ${ENV_NAME_POLICY.maxNames}`);
  });

  it('accepts the policy default names', () => {
    expect(() => assertSafeEnvNames(ENV_NAME_POLICY.defaults, trans)).not.toThrow();
  });
});

describe('assertSafeModelIds follows the widget model-id policy', () => {
  const ids = Array.from({ length: WIDGET_MODEL_ID_POLICY.maxIds + 1 }, (_, i) => i.toString(16).padStart(32, '0'));

  it('accepts as many ids as the policy allows, and no more', () => {
    expect(() => assertSafeModelIds(ids.slice(1), trans)).not.toThrow();
    expect(reasonOf(() => assertSafeModelIds(ids, trans))).toBe('widget-invalid');
    expect(messageOf(() => assertSafeModelIds(ids, trans))).toContain(`between 1 and ${WIDGET_MODEL_ID_POLICY.maxIds}`);
  });

  it('refuses an empty list, a duplicate and an id that is not a model id', () => {
    expect(reasonOf(() => assertSafeModelIds([], trans))).toBe('widget-invalid');
    expect(reasonOf(() => assertSafeModelIds([ids[0], ids[0]], trans))).toBe('widget-invalid');
    expect(reasonOf(() => assertSafeModelIds([ids[0].toUpperCase().replace(/0/g, 'A')], trans))).toBe('widget-invalid');
  });
});

describe('UnsafeKernelInputError', () => {
  it('has a name, reason and message', () => {
    const error = new UnsafeKernelInputError('token-empty', 'm');
    expect(error.name).toBe('UnsafeKernelInputError');
    expect(error.reason).toBe('token-empty');
    expect(error.message).toBe('m');
  });
});
