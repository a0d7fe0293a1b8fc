/**
 * Tokens the user explicitly chose to save in a notebook: put into a cell
 * after a warning that it will be saved to disk, or "Save anyway" in the leak
 * guard. The guard does not stop a save for those again. Memory only, per
 * notebook path and token; a reload or Forget forgets.
 */
const allowed = new Map<string, Set<string>>();

/** Record that `token` may be saved in the notebook at `path`. */
export function allowTokenIn(path: string, token: string): void {
  let tokens = allowed.get(path);
  if (!tokens) {
    tokens = new Set();
    allowed.set(path, tokens);
  }
  tokens.add(token);
}

/** Whether the user agreed to save `token` in the notebook at `path`. */
export function isTokenAllowedIn(path: string, token: string): boolean {
  return !!allowed.get(path)?.has(token);
}

/** Forget every consent (the token was forgotten). */
export function clearTokenConsents(): void {
  allowed.clear();
}
