import { Token } from '@lumino/coreutils';
import type { GitHubTokenModel } from './model/tokenModel';

/**
 * The GitHub token flow, for other plugins (e.g. a notebook field writer).
 * The model is loaded on first use. It holds the token in memory only; plugins
 * that receive this token are trusted with it (they run in the same page).
 */
export interface IGitHubTokenFlow {
  /** The flow's model, loading it (and the panel's view) if needed. */
  model(): Promise<GitHubTokenModel>;
}

export const IGitHubTokenFlow = new Token<IGitHubTokenFlow>(
  'jupyterlab-github-token:IGitHubTokenFlow',
  'The in-memory GitHub token flow of the sidebar panel.'
);
