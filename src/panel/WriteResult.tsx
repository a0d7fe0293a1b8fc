import * as React from 'react';
import type { IKernelWriteResult } from '../kernel/environment';

/** The outcome of a write (kernel environment, notebook field), as one status line. */
export function WriteResult({ result }: { result: IKernelWriteResult }): JSX.Element {
  return (
    <p
      className={result.ok ? 'jp-GitHubToken-success' : 'jp-GitHubToken-error'}
      data-ok={result.ok}
      data-problem={result.problem ?? ''}
    >
      {result.message}
    </p>
  );
}
