/**
 * What one GitHub API call gave: the contract between the I/O layer
 * (client.ts, which normalises Octokit's answers) and the pure modules that
 * explain them (problems.ts, verifyReport.ts).
 */

/** An HTTP response, with lowercase header names. */
export interface INormalizedResponse {
  status: number;
  headers: Record<string, string>;
  data: unknown;
}

/** The result of one API call: a response, or a network failure. */
export type ApiOutcome =
  | { kind: 'response'; response: INormalizedResponse }
  | { kind: 'network'; problem: 'timeout' | 'unreachable'; detail?: string };
