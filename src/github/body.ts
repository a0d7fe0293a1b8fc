/**
 * Reading response bodies, which may have any shape: a JSON object, a JSON
 * string, HTML from a proxy, or anything else. Nothing here assumes a field
 * exists or has the type GitHub documents.
 */
import { sanitizeText } from './redaction';

/** Read a property of an unknown value, if it is a plain object. */
export function prop(data: unknown, key: string): unknown {
  if (typeof data === 'object' && data !== null && !Array.isArray(data)) {
    return (data as Record<string, unknown>)[key];
  }
  return undefined;
}

/** A string property of an unknown value, if present and non-empty. */
export function stringProp(data: unknown, key: string): string | undefined {
  const value = prop(data, key);
  return typeof value === 'string' && value ? value : undefined;
}

/** A boolean property of an unknown value, if present. */
export function boolProp(data: unknown, key: string): boolean | undefined {
  const value = prop(data, key);
  return typeof value === 'boolean' ? value : undefined;
}

/** GitHub's `message` from an error body, sanitised for display. */
export function bodyMessage(data: unknown): string | undefined {
  let body = data;
  if (typeof body === 'string') {
    const text = body.trim();
    if (!text.startsWith('{')) {
      return undefined;
    }
    try {
      body = JSON.parse(text) as unknown;
    } catch {
      return undefined;
    }
  }
  const message = prop(body, 'message');
  if (typeof message !== 'string' || !message.trim()) {
    return undefined;
  }
  return sanitizeText(message);
}
