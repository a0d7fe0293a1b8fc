import { Token } from '@lumino/coreutils';
import type { ISignal } from '@lumino/signaling';
import type { IKernelWriteResult } from './kernel/environment';
import type { IUseInNotebookResult, UseState } from './model/delivery';
import type { VerifyState } from './model/verification';
import type { FieldCandidate, IFieldSearch, INotebookHandle } from './notebook/fieldWriter';
import type { IHeldTokenStatus, IServerStatus } from './server/api';

/**
 * What other extensions may rely on in the token flow's model. The token
 * itself is never exposed: they can ask for it to be delivered (kernel,
 * notebook field, new kernels) and see what became of it. With the server
 * extension, the token is the one the server holds for the API base URL.
 */
export interface IGitHubTokenModel {
  /** Emitted on every change of state (the model is a JupyterLab `VDomModel`). */
  readonly stateChanged: ISignal<IGitHubTokenModel, void>;
  /** Whether there is a token to use: a well-formed draft, or one the server holds. */
  readonly hasToken: boolean;
  /** The token the server holds for the settings' API base URL (masked status), or null. */
  readonly held: IHeldTokenStatus | null;
  /** Whether anything was typed or pasted (even malformed): Forget applies. */
  readonly hasDraft: boolean;
  /** The token, masked for display (`ghp_...abcd`), or '' when none. */
  readonly masked: string;
  /** The GitHub account the token was verified as, or null. */
  readonly login: string | null;
  /** Verification progress, with the report once done. */
  readonly verifyState: VerifyState;
  /** The server extension's status: undefined until asked, null when absent. */
  readonly server: IServerStatus | null | undefined;
  /** Whether new kernels and terminals get the token from the server. */
  readonly usedForNewKernels: boolean;
  /** "Use in this notebook" progress. */
  readonly useState: UseState;
  /** Verify the token against the GitHub API. */
  verify(): Promise<VerifyState>;
  /** Write the held token to the active notebook's kernel environment (null when nothing was tried). */
  writeToKernel(): Promise<IKernelWriteResult | null>;
  /** Fill the active notebook's token field (null when nothing was tried). */
  writeToNotebookField(): Promise<IKernelWriteResult | null>;
  /** The active notebook's kernel environment, then the token field it shows, if any (null when nothing was tried). */
  useInNotebook(): Promise<IUseInNotebookResult | null>;
  /** The token fields that a given notebook displays now. */
  findFieldsIn(notebook: INotebookHandle): Promise<IFieldSearch | IKernelWriteResult>;
  /** Fill one displayed widget field of a given notebook (null when nothing was tried). */
  fillFieldIn(notebook: INotebookHandle, candidate: FieldCandidate): Promise<IKernelWriteResult | null>;
  /** Record a kernel that got the token by another path, so that Forget in any tab lists it. */
  recordDelivery(result: IKernelWriteResult): void;
  /** Show the panel's step for where the user is (the token's use when there is one). */
  openWhereUserIs(): Promise<void>;
  /** Give the token to the server for new kernels and terminals, or take it back: an error message, or ''. */
  useForNewKernels(on: boolean): Promise<string>;
  /** Drop the token here and on the server (memory and keychain, for the settings' API base URL). */
  forget(): void;
}

/**
 * The GitHub token flow, for other plugins (e.g. a notebook field writer).
 * The model is loaded on first use. It never hands the token out through
 * this interface.
 */
export interface IGitHubTokenFlow {
  /** The flow's model, loading it (and the panel's view) if needed. */
  model(): Promise<IGitHubTokenModel>;
}

export const IGitHubTokenFlow = new Token<IGitHubTokenFlow>(
  'jupyterlab-github-token:IGitHubTokenFlow',
  'The in-memory GitHub token flow of the sidebar panel.'
);
