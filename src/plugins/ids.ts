/**
 * The plugins' ids (what `jupyter labextension disable` takes). The panel
 * plugin's is also the settings' id (schema/plugin.json), which the leak
 * guard (its `leakGuard` switch) and the notebook fields plugin
 * (`fillNotebookFields`) read too.
 */
export const PANEL_PLUGIN_ID = 'jupyterlab-github-token:plugin';
export const LEAK_GUARD_PLUGIN_ID = 'jupyterlab-github-token:leak-guard';
export const NOTEBOOK_FIELDS_PLUGIN_ID = 'jupyterlab-github-token:notebook-fields';
