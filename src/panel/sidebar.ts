import type { Message } from '@lumino/messaging';
import { Panel, Widget } from '@lumino/widgets';
import type { Trans } from '../i18n';
import { keyIcon } from '../icons';

/**
 * The left-sidebar panel. It is created at start-up, empty; the flow's view is
 * placed in it once loaded (see plugins/panelFlow.ts), the first time the panel is shown.
 * Its styles (style/panel.css) arrive with the flow: until then it shows a
 * bare "Loading…", in JupyterLab's own colours.
 */
export class GitHubTokenSidebar extends Panel {
  constructor(trans: Trans, onFirstShow: () => void) {
    super();
    this._trans = trans;
    this._onFirstShow = onFirstShow;
    this.id = 'jp-github-token-panel';
    this.addClass('jp-GitHubToken');
    this.title.icon = keyIcon;
    this.title.caption = trans.__('GitHub token');
    this.node.setAttribute('role', 'region');
    this.node.setAttribute('aria-label', trans.__('GitHub token'));
    const loading = new Widget();
    loading.addClass('jp-GitHubToken-loading');
    loading.node.textContent = trans.__('Loading…');
    this.addWidget(loading);
  }

  /** Replace the placeholder with the flow's view. */
  setContent(view: Widget): void {
    while (this.widgets.length > 0) {
      this.widgets[0].dispose();
    }
    this.addWidget(view);
  }

  /** The flow's code could not be loaded (e.g. the server went away): offer a retry. */
  showLoadError(retry: () => void): void {
    while (this.widgets.length > 0) {
      this.widgets[0].dispose();
    }
    const error = new Widget();
    error.addClass('jp-GitHubToken-loading');
    const message = document.createElement('p');
    message.setAttribute('role', 'alert');
    message.textContent = this._trans.__(
      'The GitHub token panel could not be loaded. Check that JupyterLab is still running, then retry.'
    );
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'jp-Button jp-mod-styled jp-mod-accept';
    button.textContent = this._trans.__('Retry');
    button.addEventListener('click', retry);
    error.node.append(message, button);
    this.addWidget(error);
  }

  protected onBeforeShow(msg: Message): void {
    super.onBeforeShow(msg);
    if (this._onFirstShow) {
      const callback = this._onFirstShow;
      this._onFirstShow = null;
      callback();
    }
  }

  private _onFirstShow: (() => void) | null;
  private _trans: Trans;
}
