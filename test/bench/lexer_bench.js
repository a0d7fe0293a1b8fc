#!/usr/bin/env node
/**
 * Benchmark of the Python lexer behind "Replace with environment read" and
 * "Write to notebook field" (src/python/: lexer, imports, rewrite) on 4 MB
 * adversarial cells (test/bench/lexer_bench.shapes.js).
 *
 *   node test/bench/lexer_bench.js [--mb 4] [--bound-ms 5000] [--runs 3] [--src DIR]
 *
 * It compiles the sources (TypeScript's transpileModule, into a temporary
 * folder: no build, lib/ untouched; `--src DIR`: another copy of src/, e.g.
 * an older version, for a before/after comparison), checks every result, and
 * prints the best time of each operation per cell. Exits 1 when a result is
 * wrong or an operation takes longer than the bound. Measured here (2 shared
 * cores, 2026-12): at most 0.9 s per operation and cell; before the lexer was
 * made linear, the unterminated `\N{` cells took 18 s to 527 s.
 */
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const ts = require('typescript');

const ROOT = path.resolve(__dirname, '..', '..');

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : fallback;
}

const SRC = path.resolve(option('src', path.join(ROOT, 'src')));

/** Transpile `entry` and the sources it imports (relative imports) to CommonJS in `out`. */
function transpile(entry, out) {
  const pending = [entry];
  const done = new Set();
  while (pending.length > 0) {
    const name = pending.pop();
    if (done.has(name)) {
      continue;
    }
    done.add(name);
    fs.mkdirSync(path.dirname(path.join(out, name)), { recursive: true });
    if (name.endsWith('.json')) {
      fs.copyFileSync(path.join(SRC, name), path.join(out, name));
      continue;
    }
    const file = path.join(SRC, `${name}.ts`);
    const text = fs.readFileSync(fs.existsSync(file) ? file : `${file}x`, 'utf8');
    // Relative imports (same folder or a sibling one) keep the source tree's shape under `out`.
    for (const match of text.matchAll(/from '(\.\.?\/[\w/.]+)'/g)) {
      pending.push(path.posix.normalize(path.posix.join(path.posix.dirname(name), match[1])));
    }
    const js = ts.transpileModule(text, {
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        jsx: ts.JsxEmit.React,
        // `import policy from './policy.json'` (src/policy/policy.ts) under CommonJS.
        esModuleInterop: true
      }
    }).outputText;
    fs.writeFileSync(path.join(out, `${name}.js`), js);
  }
}

/** Messages untranslated: the bench only makes them when a name is refused, and ENV is not. */
const trans = { __: text => text, _n: (singular, plural, n) => (n === 1 ? singular : plural) };

function best(runs, fn) {
  let fastest = Infinity;
  let result;
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    result = fn();
    fastest = Math.min(fastest, Number(process.hrtime.bigint() - start) / 1e6);
  }
  return { ms: fastest, result };
}

function main() {
  const mb = Number(option('mb', 4));
  const bound = Number(option('bound-ms', 5000));
  const runs = Number(option('runs', 3));
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'lexer-bench-'));
  try {
    // A copy of src/ from before the split (`--src`) has all three in python/rewrite.ts.
    const exported = {};
    for (const name of ['python/rewrite', 'python/imports', 'python/lexer', 'token/checksum']) {
      if (fs.existsSync(path.join(SRC, `${name}.ts`))) {
        transpile(name, out);
        Object.assign(exported, require(path.join(out, `${name}.js`)));
      }
    }
    const { pythonStatementLines, ensureOsImport, replaceTokensInPythonSource, crc32, toBase62 } = exported;
    const { adversarialCells, ENV } = require('./lexer_bench.shapes.js');
    const payload = 'LexerBench' + '0123456789'.repeat(2);
    const token = `ghp_${payload}${toBase62(crc32(payload), 6)}`;
    let failures = 0;
    console.log(`${SRC}: cells of ${mb} MiB, best of ${runs} runs, bound ${bound} ms per operation`);
    console.log('ms: replaceTokensInPythonSource / pythonStatementLines / ensureOsImport');
    for (const cell of adversarialCells(token, Math.round(mb * (1 << 20)))) {
      const replace = best(runs, () => replaceTokensInPythonSource(cell.source, ENV, trans));
      const lines = best(runs, () => pythonStatementLines(cell.source));
      const ensure = best(runs, () => ensureOsImport(cell.source));
      const times = [replace.ms, lines.ms, ensure.ms];
      const problems = [];
      if (replace.result.source !== cell.expected) {
        problems.push('wrong rewrite');
      }
      if (replace.result.source.includes(token)) {
        problems.push('token left');
      }
      if (lines.result.length !== cell.source.split('\n').length) {
        problems.push('wrong line count');
      }
      if (times.some(ms => ms > bound)) {
        problems.push(`over ${bound} ms`);
      }
      failures += problems.length > 0 ? 1 : 0;
      const figures = times.map(ms => ms.toFixed(0).padStart(6)).join(' /');
      console.log(`${figures}  ${cell.name}${problems.length ? `  FAIL: ${problems.join(', ')}` : ''}`);
    }
    console.log(failures ? `${failures} cell(s) failed` : 'all cells within the bound');
    return failures ? 1 : 0;
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

process.exitCode = main();
