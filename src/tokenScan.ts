/**
 * Finds GitHub tokens in text and notebooks, and removes them: the pure core
 * of the leak guard that runs before every save.
 *
 * - {@link findTokens} / {@link containsToken}: every GitHub token in a text,
 *   in linear time.
 * - {@link scanNotebook}: every token in an nbformat 4 notebook, with where
 *   it is (source, outputs, attachments, metadata, saved widget state).
 * - {@link scrubWidgetState}: a copy of a notebook without tokens in its
 *   saved ipywidgets state; {@link redactTokens} / {@link redactValue} for
 *   text and JSON values.
 *
 * Loaded at start-up (the guard sees every save), so kept small: rewriting
 * Python source is in pythonTokenRewrite.ts, loaded when a token is found.
 *
 * Nothing here throws on malformed notebooks, and no message ever contains a
 * token.
 */

// ---------------------------------------------------------------------------
// Finding tokens in text
// ---------------------------------------------------------------------------

/** One token found in a text: `text.slice(start, end) === token`. */
export interface ITokenMatch {
  token: string;
  /** Index of the token's first character. */
  start: number;
  /** Index just after the token's last character. */
  end: number;
}

/** What replaces a token that cannot be turned into an environment read. */
export const REDACTED_TOKEN_TEXT = '<GitHub token removed>';

/** `ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_` and at least 36 letters or digits. */
const PREFIXED_TOKEN = /^gh[pousr]_[A-Za-z0-9]{36,}$/;

/** `github_pat_` and at least 22 letters, digits or underscores. */
const FINE_GRAINED_TOKEN = /^github_pat_[A-Za-z0-9_]{22,}$/;

/** Shortest possible token (`github_pat_` + 22). */
const MIN_TOKEN_LENGTH = 33;

/** Longest accepted token. */
const MAX_TOKEN_LENGTH = 255;

/** Character code of `g`, the first character of every token. */
const CODE_G = 0x67;

/** Whether a character code is one of `[A-Za-z0-9_]`. */
export function isWordCode(code: number): boolean {
  return (
    (code >= 0x61 && code <= 0x7a) || // a-z
    (code >= 0x41 && code <= 0x5a) || // A-Z
    (code >= 0x30 && code <= 0x39) || // 0-9
    code === 0x5f // _
  );
}

/**
 * Call `found` for every token in `text`, in order, until it returns `false`.
 *
 * A token is always a whole run of `[A-Za-z0-9_]` characters (it is neither
 * preceded nor followed by one), so the text is cut into such runs and each
 * run of a plausible length is checked against the two token patterns. Every
 * character is looked at a bounded number of times: linear time whatever the
 * input.
 */
function eachToken(text: string, found: (match: ITokenMatch) => boolean): void {
  const n = text.length;
  let i = 0;
  while (i < n) {
    if (!isWordCode(text.charCodeAt(i))) {
      i++;
      continue;
    }
    const start = i;
    while (i < n && isWordCode(text.charCodeAt(i))) {
      i++;
    }
    const length = i - start;
    if (
      length >= MIN_TOKEN_LENGTH &&
      length <= MAX_TOKEN_LENGTH &&
      text.charCodeAt(start) === CODE_G
    ) {
      const word = text.slice(start, i);
      if (PREFIXED_TOKEN.test(word) || FINE_GRAINED_TOKEN.test(word)) {
        if (!found({ token: word, start, end: i })) {
          return;
        }
      }
    }
  }
}

/**
 * Every GitHub token in `text`, in order: `gh[pousr]_` followed by at least
 * 36 letters or digits, and `github_pat_` followed by at least 22 letters,
 * digits or underscores, at most 255 characters in all.
 *
 * A token must not be preceded or followed by a letter, digit or underscore:
 * `xghp_...` does not match, and a longer word never matches in part (the
 * match is the whole word or nothing). The checksum is not checked. Note that
 * a token written right after an escape letter, such as `\nghp_...` inside a
 * JSON or Python string, is therefore not found in the escaped text.
 */
export function findTokens(text: string): ITokenMatch[] {
  const matches: ITokenMatch[] = [];
  if (typeof text === 'string') {
    eachToken(text, match => {
      matches.push(match);
      return true;
    });
  }
  return matches;
}

/** Whether `text` contains a GitHub token (stops at the first one). */
export function containsToken(text: string): boolean {
  let found = false;
  if (typeof text === 'string' && text.includes('g')) {
    eachToken(text, () => {
      found = true;
      return false;
    });
  }
  return found;
}

/**
 * `text` with every token replaced by `<GitHub token removed>`, and how many
 * were replaced. For markdown and raw cells, outputs and other plain text.
 */
export function redactTokens(text: string): { text: string; redacted: number } {
  return replaceTokens(text, () => REDACTED_TOKEN_TEXT);
}

/**
 * `text` with every token replaced by `replacement(token)`, and how many
 * were replaced.
 */
export function replaceTokens(
  text: string,
  replacement: (token: string) => string
): { text: string; redacted: number } {
  const matches = findTokens(text);
  if (matches.length === 0) {
    return { text, redacted: 0 };
  }
  let out = '';
  let pos = 0;
  for (const match of matches) {
    out += text.slice(pos, match.start) + replacement(match.token);
    pos = match.end;
  }
  return { text: out + text.slice(pos), redacted: matches.length };
}

// ---------------------------------------------------------------------------
// Notebooks
// ---------------------------------------------------------------------------

/** Where in a notebook a token was found. */
export type LeakPlace =
  | 'source'
  | 'outputs'
  | 'attachments'
  | 'cell-metadata'
  | 'notebook-metadata'
  | 'widget-state';

/** A token found in a notebook. */
export interface ILeak {
  place: LeakPlace;
  /** 0-based index of the cell, `null` for notebook-level places. */
  cellIndex: number | null;
  /** The cell's `id`, when it has one. */
  cellId?: string;
  /** The cell's `cell_type`, when it has one. */
  cellType?: string;
  token: string;
}

/** Key of the saved ipywidgets state in the notebook metadata. */
const WIDGETS_KEY = 'widgets';

/** Plain-object check (arrays excluded). */
function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An item of the explicit stack of {@link walkStrings}. */
type WalkItem = { text: string } | { value: unknown };

/**
 * Call `visit` with every string inside `root`, in document order: object
 * keys (before their value), string values, and, for arrays made only of
 * strings (nbformat's multi-line strings), first their concatenation (unless
 * `joinLines` is false), then each element. Iterative (deep nesting cannot
 * overflow the stack), and each object is visited once (cycles are harmless).
 */
function walkStrings(root: unknown, visit: (text: string) => void, joinLines = true): void {
  const stack: WalkItem[] = [{ value: root }];
  const seen = new WeakSet<object>();
  while (stack.length > 0) {
    const item = stack.pop() as WalkItem;
    if ('text' in item) {
      visit(item.text);
      continue;
    }
    const value = item.value;
    if (typeof value === 'string') {
      visit(value);
      continue;
    }
    if (typeof value !== 'object' || value === null || seen.has(value)) {
      continue;
    }
    seen.add(value);
    if (Array.isArray(value)) {
      if (joinLines && value.length > 1 && value.every(part => typeof part === 'string')) {
        // A token split across the lines of a multi-line string.
        visit(value.join(''));
      }
      for (let i = value.length - 1; i >= 0; i--) {
        stack.push({ value: value[i] });
      }
    } else {
      const keys = Object.keys(value);
      for (let i = keys.length - 1; i >= 0; i--) {
        stack.push({ value: (value as Record<string, unknown>)[keys[i]] });
        stack.push({ text: keys[i] });
      }
    }
  }
}

/** Where each key of a cell is reported. */
function cellPlace(key: string): LeakPlace {
  switch (key) {
    case 'source':
      return 'source';
    case 'outputs':
      return 'outputs';
    case 'attachments':
      return 'attachments';
    default:
      return 'cell-metadata';
  }
}

/** Cell keys in the order they are scanned; other keys follow. */
const CELL_KEY_ORDER = ['source', 'outputs', 'attachments', 'metadata'];

/** `keys` of `record`, the listed ones first (in the listed order). */
function orderedKeys(
  record: Record<string, unknown>,
  first: readonly string[]
): string[] {
  const keys = Object.keys(record);
  return [
    ...first.filter(key => keys.includes(key)),
    ...keys.filter(key => !first.includes(key))
  ];
}

/**
 * Every GitHub token in an nbformat 4 notebook (`{cells, metadata, ...}`),
 * in document order: cell by cell (source, outputs, attachments, then the
 * cell's metadata and any other cell field), then the notebook metadata,
 * where `metadata.widgets` (the saved ipywidgets state) is reported as
 * `widget-state`. Every string is scanned, object keys included, whatever
 * the output or MIME type; a token is reported once per place and cell.
 *
 * Never throws: malformed parts are scanned as well as they can be (a cell
 * that is not an object is scanned as that cell's source, `cells` that is
 * not a list as notebook metadata), and anything but an object yields `[]`.
 */
export function scanNotebook(content: unknown): ILeak[] {
  const leaks: ILeak[] = [];
  const reported = new Set<string>();
  const scan = (
    value: unknown,
    place: LeakPlace,
    cellIndex: number | null,
    cell?: Record<string, unknown>
  ): void => {
    walkStrings(value, text => {
      for (const { token } of findTokens(text)) {
        const key = `${place}\u0000${cellIndex ?? ''}\u0000${token}`;
        if (reported.has(key)) {
          continue;
        }
        reported.add(key);
        const leak: ILeak = { place, cellIndex, token };
        if (cell && typeof cell.id === 'string') {
          leak.cellId = cell.id;
        }
        if (cell && typeof cell.cell_type === 'string') {
          leak.cellType = cell.cell_type;
        }
        leaks.push(leak);
      }
    });
  };

  try {
    if (!isRecord(content)) {
      return leaks;
    }
    for (const key of orderedKeys(content, ['cells', 'metadata'])) {
      const value = content[key];
      if (key === 'cells' && Array.isArray(value)) {
        value.forEach((cell: unknown, index: number) => {
          if (!isRecord(cell)) {
            scan(cell, 'source', index);
            return;
          }
          for (const cellKey of orderedKeys(cell, CELL_KEY_ORDER)) {
            scan(cell[cellKey], cellPlace(cellKey), index, cell);
          }
        });
      } else if (key === 'metadata' && isRecord(value)) {
        for (const metaKey of Object.keys(value)) {
          const place: LeakPlace =
            metaKey === WIDGETS_KEY ? 'widget-state' : 'notebook-metadata';
          scan(metaKey, place, null);
          scan(value[metaKey], place, null);
        }
      } else {
        scan(key, 'notebook-metadata', null);
        scan(value, 'notebook-metadata', null);
      }
    }
  } catch {
    // Exotic input (a throwing getter, a proxy): keep what was found.
  }
  return leaks;
}

/** Set `key` of `target` as an own property, even for `__proto__`. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, {
      value,
      writable: true,
      enumerable: true,
      configurable: true
    });
  } else {
    target[key] = value;
  }
}

/**
 * A deep copy of the arrays and plain objects in `root` (other values are
 * shared), passing every string and key through `mapString`. Iterative, and
 * shared or cyclic references are copied once.
 */
function deepCopy(root: unknown, mapString: (text: string) => string): unknown {
  if (typeof root === 'string') {
    return mapString(root);
  }
  if (typeof root !== 'object' || root === null) {
    return root;
  }
  const copies = new Map<object, unknown>();
  const emptyCopy = (source: object): unknown[] | Record<string, unknown> =>
    Array.isArray(source) ? [] : {};
  const rootCopy = emptyCopy(root);
  copies.set(root, rootCopy);
  const stack: Array<[object, unknown[] | Record<string, unknown>]> = [
    [root, rootCopy]
  ];
  const copyValue = (value: unknown): unknown => {
    if (typeof value === 'string') {
      return mapString(value);
    }
    if (typeof value !== 'object' || value === null) {
      return value;
    }
    if (copies.has(value)) {
      return copies.get(value);
    }
    const copy = emptyCopy(value);
    copies.set(value, copy);
    stack.push([value, copy]);
    return copy;
  };
  while (stack.length > 0) {
    const [source, target] = stack.pop() as [
      object,
      unknown[] | Record<string, unknown>
    ];
    if (Array.isArray(source)) {
      const list = target as unknown[];
      for (const value of source) {
        list.push(copyValue(value));
      }
    } else {
      const record = source as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        setOwn(
          target as Record<string, unknown>,
          mapString(key),
          copyValue(record[key])
        );
      }
    }
  }
  return rootCopy;
}

/**
 * Remove tokens from the saved ipywidgets state (`metadata.widgets`) of a
 * notebook: a value such as a `Password` widget's is saved there in clear.
 *
 * Returns a deep copy of `content` in which every string (and key) inside
 * `metadata.widgets` has its tokens removed (a string that is exactly a
 * token becomes `''`), and how many tokens were removed. `content` itself is
 * never modified; when there is nothing to remove (or `content` is not a
 * notebook), the same `content` object is returned with `removed: 0`.
 */
export function scrubWidgetState(content: unknown): {
  content: unknown;
  removed: number;
} {
  try {
    if (!isRecord(content) || !isRecord(content.metadata)) {
      return { content, removed: 0 };
    }
    const widgets = content.metadata[WIDGETS_KEY];
    if (!valueContainsToken(widgets)) {
      return { content, removed: 0 };
    }
    let removed = 0;
    const scrubbed = deepCopy(widgets, text => {
      const result = replaceTokens(text, () => '');
      removed += result.redacted;
      return result.text;
    });
    const copy = deepCopy(content, text => text) as Record<string, unknown>;
    const metadata = copy.metadata as Record<string, unknown>;
    setOwn(metadata, WIDGETS_KEY, scrubbed);
    return { content: copy, removed };
  } catch {
    return { content, removed: 0 };
  }
}

/**
 * Whether any string (or key) inside the JSON `value` holds a token. The
 * lines of a multi-line string are looked at one by one, as
 * {@link redactValue} and {@link scrubWidgetState} replace them.
 */
export function valueContainsToken(value: unknown): boolean {
  let found = false;
  walkStrings(
    value,
    text => {
      found = found || containsToken(text);
    },
    false
  );
  return found;
}

/**
 * `value` with every token in its strings (and keys) replaced by
 * {@link REDACTED_TOKEN_TEXT}: the same object when there is none, else a
 * copy (`value` is never modified).
 */
export function redactValue<T>(value: T): T {
  return !valueContainsToken(value) ? value : (deepCopy(value, text => redactTokens(text).text) as T);
}
