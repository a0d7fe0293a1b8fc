/**
 * The extension's commands: their ids, and their definitions (labels,
 * captions, when they apply). Registered at start-up so that the palette
 * lists them; what they do is in the panel's lazily loaded model.
 */
import type { JupyterFrontEnd } from '@jupyterlab/application';
import type { LabIcon } from '@jupyterlab/ui-components';
import type { Trans } from './i18n';
import type { IGitHubTokenModel } from './tokens';

/** Command ids, shared by the plugin, the palette and other extensions. */
export const CommandIDs = {
  configure: 'github-token:configure',
  verify: 'github-token:verify',
  writeKernel: 'github-token:write-kernel-environment',
  writeNotebookField: 'github-token:write-notebook-field',
  forget: 'github-token:forget',
  useForNewKernels: 'github-token:use-for-new-kernels'
} as const;

/** Palette category. */
export const PALETTE_CATEGORY = 'GitHub';

/** The commands listed in the palette, in order. */
export const PALETTE_COMMANDS: readonly string[] = [
  CommandIDs.configure,
  CommandIDs.verify,
  CommandIDs.writeKernel,
  CommandIDs.writeNotebookField,
  CommandIDs.useForNewKernels,
  CommandIDs.forget
];

/** The commands whose enabled or toggled state follows the model (a held token counts as a token). */
export const MODEL_STATE_COMMANDS: readonly string[] = [
  CommandIDs.verify,
  CommandIDs.writeKernel,
  CommandIDs.writeNotebookField,
  CommandIDs.forget,
  CommandIDs.useForNewKernels
];

/** What the commands act on: the panel and its model, loaded on first use. */
export interface ICommandTarget {
  /** The model if it is loaded already (state queries never load it). */
  loaded(): IGitHubTokenModel | null;
  /** Show and focus the panel, at `step` if given, loading the model if needed. */
  open(step?: 'verify' | 'use'): Promise<IGitHubTokenModel>;
}

/** None of the commands takes arguments (JupyterLab core's pattern for `describedBy`). */
const NO_ARGS = { args: { type: 'object' as const, properties: {} } };

/** Register the commands. */
export function addCommands(
  commands: JupyterFrontEnd['commands'],
  target: ICommandTarget,
  icon: LabIcon,
  trans: Trans
): void {
  const hasToken = () => !!target.loaded()?.hasToken;

  commands.addCommand(CommandIDs.configure, {
    label: trans.__('Configure GitHub token'),
    caption: trans.__('Create, verify and use a GitHub personal access token'),
    icon,
    describedBy: NO_ARGS,
    execute: async () => {
      await (await target.open()).openWhereUserIs();
    }
  });
  commands.addCommand(CommandIDs.verify, {
    label: trans.__('Verify GitHub token'),
    caption: trans.__('Ask the GitHub API who the token belongs to and what it allows'),
    describedBy: NO_ARGS,
    isEnabled: hasToken,
    execute: async () => (await target.open('verify')).verify()
  });
  commands.addCommand(CommandIDs.writeKernel, {
    label: trans.__('Write GitHub token to kernel environment'),
    caption: trans.__("Set the token's environment variables in the active notebook's kernel"),
    describedBy: NO_ARGS,
    isEnabled: hasToken,
    execute: async () => (await target.open('use')).writeToKernel()
  });
  commands.addCommand(CommandIDs.writeNotebookField, {
    label: trans.__('Write GitHub token to notebook field'),
    caption: trans.__("Fill the active notebook's GitHub-token field (an ipywidgets password field or a token cell)"),
    describedBy: NO_ARGS,
    isEnabled: hasToken,
    execute: async () => (await target.open('use')).writeToNotebookField()
  });
  commands.addCommand(CommandIDs.forget, {
    label: trans.__('Forget GitHub token'),
    caption: trans.__('Clear the token from this tab and the Jupyter server'),
    describedBy: NO_ARGS,
    isEnabled: () => {
      const model = target.loaded();
      return !!model && (model.hasDraft || model.hasToken);
    },
    execute: () => target.loaded()?.forget()
  });
  commands.addCommand(CommandIDs.useForNewKernels, {
    label: trans.__('Use GitHub token for new kernels and terminals'),
    caption: trans.__('The Jupyter server keeps the token in memory and gives it to every new kernel and terminal'),
    describedBy: NO_ARGS,
    isToggled: () => !!target.loaded()?.usedForNewKernels,
    isEnabled: () => {
      const model = target.loaded();
      return !!model?.server && (model.hasToken || model.usedForNewKernels);
    },
    execute: async () => {
      const model = await target.open('use');
      const error = await model.useForNewKernels(!model.usedForNewKernels);
      if (error) {
        throw new Error(error);
      }
    }
  });
}
