"""Jupyter server configuration for the browser end-to-end tests.

A real JupyterLab with the extension installed from the built package, every
Jupyter/IPython directory inside E2E_STATE_DIR so that the tests can audit
what was written to disk, and the extension pointed at the fake GitHub API.
"""

import json
import os
from pathlib import Path

from jupyterlab.galata import configure_jupyter_server

# get_config is injected by traitlets when it runs this file as configuration.
c = get_config()  # type: ignore[name-defined]  # noqa: F821
configure_jupyter_server(c)

state = Path(os.environ["E2E_STATE_DIR"])
fake_api = os.environ.get("E2E_FAKE_GITHUB_URL", "http://127.0.0.1:8765")

c.ServerApp.ip = "127.0.0.1"
c.ServerApp.port = int(os.environ.get("E2E_LAB_PORT", "8899"))
c.ServerApp.allow_root = True
c.Application.log_level = "WARN"
c.ServerApp.root_dir = str(state / "notebooks")
c.LabApp.workspaces_dir = str(state / "workspaces")
c.LabApp.user_settings_dir = str(state / "settings")
c.LabApp.extension_manager = "readonly"
c.LabApp.news_url = None
c.LabApp.check_for_updates_class = "jupyterlab.NeverCheckForUpdate"
c.FileContentsManager.delete_to_trash = False

for sub in ("notebooks", "workspaces", "settings", "ipython", "runtime"):
    (state / sub).mkdir(parents=True, exist_ok=True)

# Kernels inherit the server's environment: keep IPython's history database and
# the connection files inside the audited folder too.
os.environ["IPYTHONDIR"] = str(state / "ipython")
os.environ["JUPYTER_RUNTIME_DIR"] = str(state / "runtime")

# The API base URL is the setting GitHub Enterprise users change too.
settings_file = state / "settings" / "jupyterlab-github-token" / "plugin.jupyterlab-settings"
settings_file.parent.mkdir(parents=True, exist_ok=True)
settings_file.write_text(
    json.dumps(
        {
            "apiBaseUrl": fake_api,
            "webBaseUrl": fake_api + "/web",
            "requestTimeoutSeconds": 3,
            "expiryWarningDays": 35,
        },
        indent=2,
    )
)

# No "official Jupyter news?" toast over the panel (this machine is offline anyway).
notification = state / "settings" / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
notification.parent.mkdir(parents=True, exist_ok=True)
notification.write_text(json.dumps({"fetchNews": "false"}))

# Save ipywidgets state into notebooks (off by default in JupyterLab): the hardest
# case for keeping a token filled into a Password widget out of the saved file.
widgets_settings = state / "settings" / "@jupyter-widgets" / "jupyterlab-manager" / "plugin.jupyterlab-settings"
widgets_settings.parent.mkdir(parents=True, exist_ok=True)
widgets_settings.write_text(json.dumps({"saveState": True}))

# The server extension may talk only to allowed GitHub API base URLs: here, the fake.
c.GitHubTokenExtension.allowed_api_base_urls = [fake_api]
