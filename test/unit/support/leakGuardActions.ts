/**
 * The leak guard's dialogs (src/leakGuard/actions) as bare jest mocks, for the
 * specs that drive the guard without a UI:
 * `jest.mock('<path>/src/leakGuard/actions', () => require('<path>/support/leakGuardActions').mockActions())`.
 */
export function mockActions(): Record<string, jest.Mock> {
  return {
    askBeforeSave: jest.fn(),
    applyFix: jest.fn(),
    warnOnOpen: jest.fn(),
    guardFileSave: jest.fn(),
    replaceCheckpoint: jest.fn()
  };
}
