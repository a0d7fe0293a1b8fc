/**
 * Which repository the user means: `owner/name`, or its URL on github.com or
 * on the configured GitHub Enterprise host. Pure.
 */
import { normalizeWebBaseUrl } from './tokenPages';

/**
 * Parse a repository given as `owner/name` or as
 * `https://github.com/owner/name` (optionally ending in `.git` or `/`).
 * URLs of a GitHub Enterprise host are accepted when `webBaseUrl` names it.
 *
 * @returns `undefined` for anything else.
 */
export function parseRepoFullName(
  input: string,
  webBaseUrl = 'https://github.com'
): { owner: string; repo: string } | undefined {
  const owner = '[A-Za-z0-9](?:[A-Za-z0-9_-]{0,38})';
  const name = '[A-Za-z0-9._-]{1,100}';
  const text = input.trim();
  const plain = new RegExp(`^(${owner})/(${name})$`).exec(text);
  if (plain) {
    return validRepoName(plain[1], plain[2]);
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  const bases = ['https://github.com'];
  try {
    bases.push(normalizeWebBaseUrl(webBaseUrl));
  } catch {
    // An invalid setting: only github.com URLs are accepted.
  }
  if (url.search || url.hash || url.username || url.password) {
    return undefined;
  }
  for (const base of bases) {
    const prefix = `${base}/`;
    const href = `${url.origin}${url.pathname}`;
    if (!href.startsWith(prefix)) {
      continue;
    }
    const rest = href.slice(prefix.length).replace(/\/$/, '');
    const match = new RegExp(`^(${owner})/(${name})$`).exec(rest);
    if (match) {
      const repo = match[2].endsWith('.git') ? match[2].slice(0, -4) : match[2];
      return validRepoName(match[1], repo);
    }
  }
  return undefined;
}

/** Reject the reserved names `.` and `..` (and an empty name). */
function validRepoName(owner: string, repo: string): { owner: string; repo: string } | undefined {
  return repo && repo !== '.' && repo !== '..' ? { owner, repo } : undefined;
}
