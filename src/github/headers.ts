/**
 * Reading GitHub's response headers: the rate limit, `retry-after`, the token
 * expiry and the single sign-on link. Pure; a header that cannot be read is
 * reported as unknown, never guessed.
 */
import { GITHUB_POLICY, wholeMatch } from '../policy/policy';
import { isHttpUrl } from './redaction';

/** The policy's expiry header value (Python's check reads the same rule). */
const EXPIRY_HEADER = wholeMatch(GITHUB_POLICY.expirationHeader, 'i');

/** GitHub's rate limit, from the `x-ratelimit-*` headers. */
export interface IRateLimitInfo {
  limit: number;
  remaining: number;
  used?: number;
  /** When the window resets. */
  resetAt: Date;
  /** e.g. `core`, `search`, `graphql`. */
  resource?: string;
}

/** Look a header up case-insensitively (`name` in lower case). */
export function headerValue(headers: Record<string, string> | undefined, name: string): string | undefined {
  if (!headers) {
    return undefined;
  }
  const direct = headers[name];
  if (typeof direct === 'string') {
    return direct;
  }
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() === name && typeof headers[key] === 'string') {
      return headers[key];
    }
  }
  return undefined;
}

/** Parse a non-negative integer header value. */
export function parseCount(value: string | undefined): number | undefined {
  if (value === undefined || !/^\s*\d+\s*$/.test(value)) {
    return undefined;
  }
  return Number(value.trim());
}

/**
 * Read the rate limit from `x-ratelimit-limit`, `-remaining`, `-reset`
 * (epoch seconds) and optionally `-used` and `-resource`.
 *
 * @returns `undefined` unless limit, remaining and reset are all readable.
 */
export function parseRateLimit(headers: Record<string, string>): IRateLimitInfo | undefined {
  const limit = parseCount(headerValue(headers, 'x-ratelimit-limit'));
  const remaining = parseCount(headerValue(headers, 'x-ratelimit-remaining'));
  const reset = parseCount(headerValue(headers, 'x-ratelimit-reset'));
  if (limit === undefined || remaining === undefined || reset === undefined) {
    return undefined;
  }
  const info: IRateLimitInfo = { limit, remaining, resetAt: new Date(reset * 1000) };
  const used = parseCount(headerValue(headers, 'x-ratelimit-used'));
  if (used !== undefined) {
    info.used = used;
  }
  const resource = headerValue(headers, 'x-ratelimit-resource')?.trim();
  if (resource) {
    info.resource = resource;
  }
  return info;
}

/** Parse `retry-after`: seconds, or an HTTP date. Returns milliseconds. */
export function retryAfterMs(value: string | undefined, now: Date): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  const seconds = parseCount(value);
  if (seconds !== undefined) {
    return seconds * 1000;
  }
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now.getTime());
}

/**
 * Extract the authorization URL from an `X-GitHub-SSO` header such as
 * `required; url=https://github.com/orgs/ORG/sso?authorization_request=...`.
 *
 * @returns the URL, or `undefined` when there is none or it is not http(s).
 */
export function parseSsoHeader(value: string | null | undefined): string | undefined {
  if (!value) {
    return undefined;
  }
  for (const part of value.split(';')) {
    const match = /^\s*url\s*=\s*(\S+)\s*$/i.exec(part);
    if (match && isHttpUrl(match[1])) {
      return match[1];
    }
  }
  return undefined;
}

/**
 * Parse the `GitHub-Authentication-Token-Expiration` header, e.g.
 * `2026-12-24 10:00:00 UTC` or `2026-12-24 10:00:00 -0700`.
 *
 * @returns `null` when the header is absent (the token does not expire),
 *   `undefined` when the value cannot be understood.
 */
export function parseExpiryHeader(value: string | null | undefined): Date | null | undefined {
  if (value === null || value === undefined) {
    return null;
  }
  const match = EXPIRY_HEADER.exec(value.trim());
  if (!match) {
    return undefined;
  }
  const [year, month, day, hour, minute] = match.slice(1, 6).map(Number);
  const second = match[6] ? Number(match[6]) : 0;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  const utc = Date.UTC(year, month - 1, day, hour, minute, second);
  // Reject dates such as February 30th, which Date.UTC would roll over.
  if (new Date(utc).getUTCDate() !== day) {
    return undefined;
  }
  let offsetMinutes = 0;
  const zone = match[7].toUpperCase();
  if (zone !== 'UTC' && zone !== 'GMT' && zone !== 'Z') {
    const digits = zone.replace(':', '');
    const sign = digits[0] === '-' ? -1 : 1;
    const hours = Number(digits.slice(1, 3));
    const minutes = Number(digits.slice(3, 5));
    if (hours > 14 || minutes > 59) {
      return undefined;
    }
    offsetMinutes = sign * (hours * 60 + minutes);
  }
  return new Date(utc - offsetMinutes * 60000);
}
