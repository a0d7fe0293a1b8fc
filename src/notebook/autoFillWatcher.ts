/**
 * The JupyterLab wiring of the self-filling notebook fields (autoFill.ts):
 * every notebook's cell outputs (cells added later too) and kernel status,
 * JupyterLab's notifications, the server's held token, and the token flow's
 * model, which is loaded only once a token is known to be held. Loaded in
 * the "auto-fill" chunk when the first notebook opens.
 */
import { Notification } from '@jupyterlab/apputils';
import type { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import type { ISettingRegistry } from '@jupyterlab/settingregistry';
import type { ITranslator } from '@jupyterlab/translation';
import type { ISignal } from '@lumino/signaling';
import { TRANSLATION_DOMAIN } from '../i18n';
import { PANEL_PLUGIN_ID } from '../plugins/ids';
import { fetchServerStatus, heldFor, refusedByGitHub } from '../server/api';
import { IGitHubTokenSettings, withDefaults } from '../settings';
import type { IGitHubTokenFlow } from '../tokens';
import { IAutoFillDeps, NotebookAutoFill } from './autoFill';
import { notebookHandle } from './handle';

/** A cell model, seen structurally: code cells have outputs that signal their changes. */
interface ICellLike {
  outputs?: { changed: ISignal<unknown, unknown> };
}

/** The dependencies of the auto-fill, wired to JupyterLab (`settings`: the panel plugin's composite). */
export function autoFillDeps(
  flow: IGitHubTokenFlow,
  settings: () => IGitHubTokenSettings,
  trans: IAutoFillDeps['trans']
): IAutoFillDeps {
  return {
    trans,
    mode: () => settings().fillNotebookFields,
    held: async () => {
      const held = heldFor(await fetchServerStatus(), settings().apiBaseUrl);
      // GitHub refuses a revoked or expired token: offering it would only fill a field that cannot work.
      return held && !refusedByGitHub(held) ? { login: held.login } : null;
    },
    find: async handle => (await flow.model()).findFieldsIn(handle),
    fill: async (handle, candidate) => (await flow.model()).fillFieldIn(handle, candidate),
    notify: {
      ask: (message, label, onFill) => {
        Notification.info(message, { autoClose: false, actions: [{ label, callback: () => onFill() }] });
      },
      success: message => {
        Notification.success(message, { autoClose: 5000 });
      },
      failure: message => {
        Notification.error(message, { autoClose: false });
      }
    }
  };
}

/** Feed `panel`'s output changes (and its kernel's return to idle) to `autoFill`. */
export function watchNotebook(panel: NotebookPanel, autoFill: NotebookAutoFill): void {
  // A fresh handle each time: the notebook may have been renamed.
  const changed = () => {
    if (!panel.isDisposed) {
      autoFill.displayedWidgetsChanged(notebookHandle(panel));
    }
  };
  const watchCell = (cell: unknown) => (cell as ICellLike).outputs?.changed.connect(changed);
  const watchModel = () => {
    const cells = panel.content.model?.cells;
    if (!cells) {
      return;
    }
    for (const cell of cells) {
      watchCell(cell);
    }
    // Lumino connects a slot once: watching the same model again is harmless.
    cells.changed.connect(cellsChanged);
    changed();
  };
  const cellsChanged = (_: unknown, change: { newValues: readonly unknown[] }) => {
    change.newValues.forEach(watchCell);
  };
  // A form cell displays its field while the kernel is busy: look again once it is idle.
  panel.sessionContext.statusChanged.connect((_, status) => {
    if (status === 'idle') {
      changed();
    }
  });
  panel.content.modelChanged.connect(watchModel);
  void panel.context.ready.then(watchModel);
}

/** The trackers the auto-fill was started for: the plugin asks on every notebook opened. */
const started = new WeakSet<INotebookTracker>();

/**
 * Start the auto-fill once for `notebooks`, when the settings are known:
 * every open notebook and every one opened later. The arguments are the
 * plugin's, in its order (a short call in the start-up bundle).
 */
export async function startAutoFill(
  translator: ITranslator,
  notebooks: INotebookTracker,
  registry: ISettingRegistry | null,
  flow: IGitHubTokenFlow | null
): Promise<void> {
  if (!flow || started.has(notebooks)) {
    return;
  }
  started.add(notebooks);
  const loaded = await (registry?.load(PANEL_PLUGIN_ID) ?? Promise.resolve(null)).catch(reason => {
    console.error('jupyterlab-github-token: notebook fields could not load the settings.', reason);
    return null;
  });
  // The composite follows every change; without settings, the defaults apply.
  const settings = () => withDefaults(loaded?.composite as Partial<IGitHubTokenSettings> | undefined);
  const autoFill = new NotebookAutoFill(autoFillDeps(flow, settings, translator.load(TRANSLATION_DOMAIN)));
  notebooks.forEach(panel => watchNotebook(panel, autoFill));
  notebooks.widgetAdded.connect((_, panel) => watchNotebook(panel, autoFill));
}
