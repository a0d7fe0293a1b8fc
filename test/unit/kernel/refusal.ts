/**
 * Reading what a refused kernel input threw, shared by the kernel specs.
 */
import { UnsafeKernelInputError, UnsafeKernelInputReason } from '../../../src/kernel/validation';

/** Run `fn`, expect an UnsafeKernelInputError, and return its reason. */
export function reasonOf(fn: () => unknown): UnsafeKernelInputReason {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UnsafeKernelInputError);
    expect(error).toBeInstanceOf(Error);
    return (error as UnsafeKernelInputError).reason;
  }
  throw new Error('expected an UnsafeKernelInputError');
}

/** Run `fn` and return the error's message. */
export function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected an error');
}
