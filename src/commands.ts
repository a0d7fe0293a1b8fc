/** Command ids, shared by the plugin and the palette. */
export namespace CommandIDs {
  export const configure = 'github-token:configure';
  export const verify = 'github-token:verify';
  export const writeKernel = 'github-token:write-kernel-environment';
  export const writeNotebookField = 'github-token:write-notebook-field';
  export const forget = 'github-token:forget';
  export const useForNewKernels = 'github-token:use-for-new-kernels';
}

/** Palette category. */
export const PALETTE_CATEGORY = 'GitHub';
