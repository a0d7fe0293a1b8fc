/**
 * What the extension exports to JupyterLab, and what each plugin loads at
 * start-up: the leak guard can run (and be disabled) on its own, so its
 * module graph must not pull in the panel's code or the token scanner.
 */
import { readFileSync } from 'fs';
import { dirname, join, relative, resolve } from 'path';
import ts from 'typescript';
import { ITranslator } from '@jupyterlab/translation';
import plugins from '../../../src/index';

const SRC = resolve(__dirname, '../../../src');

/** The module a relative specifier in `from` resolves to, as a path under src/ (null: a package). */
function resolveModule(from: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) {
    return null;
  }
  const base = resolve(dirname(from), specifier);
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts'), join(base, 'index.tsx')]) {
    try {
      readFileSync(candidate);
      return candidate;
    } catch {
      // Not this one.
    }
  }
  throw new Error(`${relative(SRC, from)}: cannot resolve ${specifier}`);
}

/** Whether an import or export declaration is erased at compile time (`import type`, all-type names). */
function isTypeOnly(node: ts.ImportDeclaration | ts.ExportDeclaration): boolean {
  if (ts.isExportDeclaration(node)) {
    return node.isTypeOnly;
  }
  const clause = node.importClause;
  if (!clause) {
    return false; // `import './x'`: a side effect, kept.
  }
  if (clause.isTypeOnly) {
    return true;
  }
  const bindings = clause.namedBindings;
  return (
    !clause.name &&
    !!bindings &&
    ts.isNamedImports(bindings) &&
    bindings.elements.length > 0 &&
    bindings.elements.every(element => element.isTypeOnly)
  );
}

/**
 * Every source module loaded when `entry` is: its static, value imports,
 * transitively. Dynamic `import()` (a lazily loaded chunk) is not followed.
 */
function startupGraph(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) {
      return;
    }
    seen.add(file);
    if (!/\.tsx?$/.test(file)) {
      return; // css, svg, json: leaves.
    }
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    for (const statement of source.statements) {
      if (
        (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) &&
        statement.moduleSpecifier &&
        ts.isStringLiteral(statement.moduleSpecifier) &&
        !isTypeOnly(statement)
      ) {
        const target = resolveModule(file, statement.moduleSpecifier.text);
        if (target) {
          visit(target);
        }
      }
    }
  };
  visit(resolve(SRC, entry));
  return new Set([...seen].map(file => relative(SRC, file).split('\\').join('/')));
}

/** Modules that belong to lazily loaded chunks: the panel's flow, and the leak guard's scanner and dialogs. */
const LAZY = [/^model\//, /^panel\/(?!sidebar\.ts$)/, /^flow\.ts$/, /^plugins\/panelFlow\.ts$/, /^token\/scan\.ts$/];

describe('the extension', () => {
  it('exports exactly the panel, leak guard and notebook fields plugins', () => {
    expect(plugins.map(plugin => plugin.id)).toEqual([
      'jupyterlab-github-token:plugin',
      'jupyterlab-github-token:leak-guard',
      'jupyterlab-github-token:notebook-fields'
    ]);
  });

  it.each(plugins.map(plugin => [plugin.id, plugin] as const))(
    '%s starts automatically, says what it does and requires the translator',
    (_, plugin) => {
      expect(plugin.autoStart).toBe(true);
      expect(typeof plugin.description).toBe('string');
      expect(plugin.description!.length).toBeGreaterThan(20);
      expect(plugin.requires).toContain(ITranslator);
      expect(plugin.optional ?? []).not.toContain(ITranslator);
    }
  );
});

describe('start-up module graph', () => {
  it('finds static imports, follows them, and leaves out type-only and dynamic ones', () => {
    const graph = startupGraph('plugins/panel.ts');
    expect(graph).toContain('commands.ts');
    expect(graph).toContain('panel/sidebar.ts');
    // panel.ts imports the model's type only, and the flow with import().
    expect(graph).not.toContain('model/tokenModel.ts');
    expect(graph).not.toContain('plugins/panelFlow.ts');
  });

  it("the leak guard plugin loads none of the panel's code, nor the token scanner", () => {
    const graph = [...startupGraph('plugins/leakGuard.ts')];
    expect(graph).toContain('leakGuard/guard.ts');
    expect(
      graph.filter(file => LAZY.some(pattern => pattern.test(file)) || /^leakGuard\/(checks|actions)/.test(file))
    ).toEqual([]);
    expect(graph).not.toContain('plugins/panel.ts');
    expect(graph).not.toContain('commands.ts');
    expect(graph).not.toContain('panel/sidebar.ts');
  });

  it('the panel plugin loads its flow, and the token scanner, only on demand', () => {
    const graph = [...startupGraph('plugins/panel.ts')];
    expect(graph.filter(file => LAZY.some(pattern => pattern.test(file)))).toEqual([]);
  });
});
