/**
 * What each part of the token model (verification, delivery, holders, server
 * state) gets from the model that composes them.
 */
export interface IModelHost {
  /** Tell the view that the state changed. */
  emit(): void;
  /**
   * A number bumped whenever an answer in flight would no longer be about the
   * current state (new token, Forget, other access level or host).
   */
  generation(): number;
}
