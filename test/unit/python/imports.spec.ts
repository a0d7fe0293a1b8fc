import { docstringBeforeFuture, ensureOsImport, osImportInsertion } from '../../../src/python/imports';
import { PyLexer } from '../../../src/python/lexer';

/** `osImportInsertion` of `source`, lexed here. */
const insertion = (source: string, before?: number) => osImportInsertion(source, new PyLexer(source), before);

describe('ensureOsImport', () => {
  it('adds the import first when no statement imports os', () => {
    expect(ensureOsImport('print(1)\n')).toBe('import os\nprint(1)\n');
    expect(ensureOsImport('import sys\nx = 1')).toBe('import os\nimport sys\nx = 1');
    expect(ensureOsImport('import os.path as p')).toBe('import os\nimport os.path as p');
  });

  it('finds the import on any statement line, indented or after a semicolon', () => {
    for (const source of ['x = 1\nimport os', 'if x:\n    import os', 'a = 1; import sys, os', 'import os.path']) {
      expect(ensureOsImport(source)).toBe(source);
    }
  });

  it('does not count an import inside a string or a comment', () => {
    expect(ensureOsImport("s = '''\nimport os\n'''")).toBe("import os\ns = '''\nimport os\n'''");
    expect(ensureOsImport('x = 1  # import os')).toBe('import os\nx = 1  # import os');
  });

  it('goes after a shebang, an encoding line and the leading __future__ imports', () => {
    expect(ensureOsImport('#!/usr/bin/env python\nx = 1')).toBe('#!/usr/bin/env python\nimport os\nx = 1');
    expect(ensureOsImport('# vim: set fileencoding=utf-8 :\nx = 1')).toBe(
      '# vim: set fileencoding=utf-8 :\nimport os\nx = 1'
    );
    expect(ensureOsImport('"""Doc."""\nfrom __future__ import annotations\nx = 1')).toBe(
      '"""Doc."""\nfrom __future__ import annotations\nimport os\nx = 1'
    );
    // A docstring without __future__ imports after it does not move the import.
    expect(ensureOsImport('"""Doc."""\nx = 1')).toBe('import os\n"""Doc."""\nx = 1');
  });

  it('keeps CRLF line endings and leaves cell magic cells alone', () => {
    expect(ensureOsImport('from __future__ import annotations\r\nx = 1')).toBe(
      'from __future__ import annotations\r\nimport os\r\nx = 1'
    );
    expect(ensureOsImport('%%capture\nx = 1')).toBe('%%capture\nx = 1');
  });

  it('handles an empty source, a lone shebang, an existing import and cell magics', () => {
    expect(ensureOsImport('x = 1')).toBe('import os\nx = 1');
    expect(ensureOsImport('import os\nx = 1')).toBe('import os\nx = 1');
    expect(ensureOsImport('')).toBe('import os\n');
    expect(ensureOsImport('#!/usr/bin/env python')).toBe('#!/usr/bin/env python\nimport os\n');
    expect(ensureOsImport('%%bash\nls')).toBe('%%bash\nls');
  });
});

describe('osImportInsertion', () => {
  it('says where and what to insert', () => {
    expect(insertion('x = 1')).toEqual({ offset: 0, text: 'import os\n' });
    expect(insertion('from __future__ import annotations')).toEqual({ offset: 34, text: '\nimport os\n' });
    expect(insertion('import os\nx = 1')).toBeUndefined();
  });

  it('only counts imports on lines starting before `before`', () => {
    const source = 'x = 1\nimport os';
    expect(insertion(source, 6)).toEqual({ offset: 0, text: 'import os\n' });
    expect(insertion(source, 7)).toBeUndefined();
  });
});

describe('docstringBeforeFuture', () => {
  /** The texts of the literals `docstringBeforeFuture` returns. */
  function docstring(source: string): string[] {
    return [...docstringBeforeFuture(source, new PyLexer(source))].map(lit => source.slice(lit.start, lit.end));
  }

  it('gives the literals of a module docstring that __future__ imports follow', () => {
    expect(docstring('\n"""A""" "B"\n\nfrom __future__ import annotations')).toEqual(['"""A"""', '"B"']);
  });

  it('gives none without __future__ imports, or when the first statement is no docstring', () => {
    expect(docstring('"""A"""\nimport sys')).toEqual([]);
    expect(docstring('"A".strip()\nfrom __future__ import annotations')).toEqual([]);
    expect(docstring('from __future__ import annotations')).toEqual([]);
  });
});
