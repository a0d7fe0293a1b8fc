#!/usr/bin/env node
/**
 * Benchmark of the leak guard's work per save (issue 9): on the 21.8 MB
 * notebook of test/unit/token/scan.spec.ts (400 cells with a 50 KB base64 PNG
 * each, saved widget state for 400 models) and on a 10 MB one (the same with
 * 180 cells), the time of JSON.stringify of the content (what every save costs
 * at least) and of the guard's work (scrubWidgetState + scanNotebook), and the
 * ratio (stringify + guard) / stringify (fastest of 21 runs each). The goal:
 * at most 1.05.
 *
 *   node test/bench/scan_bench.js [--python]
 *
 * Runs the TypeScript sources (src/token/scan.ts and what it imports),
 * transpiled in memory with the project's `typescript`: no build, nothing
 * written. `--python` also times the server's pre-save hook
 * (jupyterlab_github_token/save_guard.py) on the 21.8 MB notebook.
 */
'use strict';
const fs = require('fs');
const path = require('path');
const Module = require('module');
const { execFileSync } = require('child_process');
const ts = require('typescript');

const ROOT = path.resolve(__dirname, '..', '..');

/** `require` a src/*.ts module, transpiled to CommonJS in memory. */
function requireTs(file, cache = new Map()) {
  const full = path.resolve(file);
  if (cache.has(full)) {
    return cache.get(full).exports;
  }
  const source = fs.readFileSync(full, 'utf-8');
  const js = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true }
  }).outputText;
  const mod = new Module(full);
  cache.set(full, mod);
  mod.filename = full;
  mod.paths = Module._nodeModulePaths(path.dirname(full));
  mod.require = request =>
    request.endsWith('.json')
      ? require(path.resolve(path.dirname(full), request))
      : request.startsWith('.')
        ? requireTs(path.resolve(path.dirname(full), request + '.ts'), cache)
        : require(request);
  mod._compile(js, full);
  return mod.exports;
}

// SCAN_MODULE=path/to/an/older/scan.ts measures another version (before/after).
const scan = requireTs(process.env.SCAN_MODULE || path.join(ROOT, 'src', 'token', 'scan.ts'));
const T = 'ghp_' + 'A'.repeat(36);

/** The notebook of test/unit/token/scan.spec.ts's 20 MB test, with `count` cells. */
const { largeNotebook } = requireTs(path.join(ROOT, 'test', 'unit', 'support', 'testing.ts'));
const makeNotebook = count => largeNotebook(count, T);

/**
 * The fastest of `runs` timings of `fn`, in ms: on a shared machine the
 * others measure the neighbours.
 */
function fastest(fn, runs = 21) {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    fn();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e6);
  }
  return best;
}

function bench(label, notebook, widgetToken = true) {
  if (!widgetToken) {
    notebook = scan.scrubWidgetState(notebook).content;
  }
  // A save stringifies the content once the guard has passed it.
  let text = '';
  let leaks = [];
  const guard = () => {
    const scrubbed = scan.scrubWidgetState(notebook).content;
    leaks = scan.scanNotebook(scrubbed);
  };
  for (let i = 0; i < 3; i++) {
    text = JSON.stringify(notebook);
    guard();
  }
  const stringifyMs = fastest(() => (text = JSON.stringify(notebook)));
  const guardMs = fastest(guard);
  const scrubMs = fastest(() => scan.scrubWidgetState(notebook));
  const scanMs = fastest(() => scan.scanNotebook(notebook));
  const mb = text.length / 1e6;
  const ratio = (stringifyMs + guardMs) / stringifyMs;
  console.log(
    `${label}: ${mb.toFixed(1)} MB; JSON.stringify ${stringifyMs.toFixed(1)} ms; ` +
      `guard (scrubWidgetState + scanNotebook) ${guardMs.toFixed(1)} ms ` +
      `(alone: ${scrubMs.toFixed(1)} + ${scanMs.toFixed(1)}); ` +
      `ratio ${ratio.toFixed(3)} (goal <= 1.05); leaks ${leaks.length}`
  );
  return text;
}

// With a token in the widget state (scrubbed, so the notebook is copied), and
// already clean (every save after that one).
bench('notebook 21.8 MB, widget token', makeNotebook(400));
bench('notebook 21.8 MB, clean', makeNotebook(400), false);
bench('notebook 10 MB, widget token', makeNotebook(180));
bench('notebook 10 MB, clean', makeNotebook(180), false);

if (process.argv.includes('--python')) {
  const big = JSON.stringify(makeNotebook(400));
  const file = path.join(require('os').tmpdir(), `scan_bench_${process.pid}.ipynb`);
  fs.writeFileSync(file, big);
  const python = fs.existsSync(path.join(ROOT, '.venv', 'bin', 'python'))
    ? path.join(ROOT, '.venv', 'bin', 'python')
    : 'python3';
  const script = `
import json, sys, time
sys.path.insert(0, ${JSON.stringify(ROOT)})
from jupyterlab_github_token.save_guard import make_pre_save_hook
class Log:
    def warning(self, *a): pass
    def info(self, *a): pass
    def debug(self, *a): pass
hook = make_pre_save_hook(Log(), lambda: True)
text = open(${JSON.stringify(file)}, encoding="utf-8").read()
times, dumps = [], []
for _ in range(9):
    nb = json.loads(text)
    start = time.perf_counter()
    hook(model={"type": "notebook", "format": "json", "content": nb}, path="big.ipynb")
    times.append((time.perf_counter() - start) * 1000)
    start = time.perf_counter()
    json.dumps(nb)
    dumps.append((time.perf_counter() - start) * 1000)
print("python pre-save hook on %.1f MB: %.1f ms (json.dumps %.1f ms)" % (len(text) / 1e6, min(times), min(dumps)))
`;
  try {
    process.stdout.write(execFileSync(python, ['-c', script], { encoding: 'utf-8' }));
  } finally {
    fs.unlinkSync(file);
  }
}
