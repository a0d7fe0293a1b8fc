import { Message } from '@lumino/messaging';
import { Panel, Widget } from '@lumino/widgets';
import type { TranslationBundle } from '@jupyterlab/translation';
import { keyIcon } from '../icons';

/**
 * The left-sidebar panel. It is created at start-up, empty; the flow's view is
 * placed in it once loaded (see flow.ts), the first time the panel is shown.
 */
export class GitHubTokenSidebar extends Panel {
  constructor(trans: TranslationBundle, onFirstShow: () => void) {
    super();
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

  protected onBeforeShow(msg: Message): void {
    super.onBeforeShow(msg);
    if (this._onFirstShow) {
      const callback = this._onFirstShow;
      this._onFirstShow = null;
      callback();
    }
  }

  private _onFirstShow: (() => void) | null;
}
