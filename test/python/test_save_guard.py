"""The server's pre-save hook: no GitHub token in a notebook's saved widget state.

Saves made outside the JupyterLab page (real-time collaboration, other clients
of the contents API) do not pass through the page's leak guard; these tests
save through the REST contents API directly, as such a client would.
"""

import base64
import json
import logging
import time
from pathlib import Path

import pytest
from conftest import ROOT, TOKENS
from token_factory import FIXTURE_TOKENS

from jupyterlab_github_token.save_guard import (
    count_notebook_tokens,
    count_tokens,
    decode_escapes,
    find_split_tokens_across,
    find_tokens,
    remove_tokens,
    scrub_widget_state,
)
from jupyterlab_github_token.state import SETTINGS_KEY

TOKEN = TOKENS["classicRepo"]["token"]
FINE = TOKENS["fineGrained"]["token"]
CORPUS = ROOT / "test" / "corpus"
CASES = json.loads((CORPUS / "token-cases.json").read_text(encoding="utf-8"))["cases"]
WIDGET_MIME = "application/vnd.jupyter.widget-state+json"
MODEL_ID = "0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize("case", CASES, ids=[f"{i}-{c['why']}" for i, c in enumerate(CASES)])
def test_finds_the_same_tokens_as_the_page(case):
    assert find_tokens(case["text"]) == case["tokens"]
    text, removed = remove_tokens(case["text"])
    assert removed == len(case["tokens"])
    assert find_tokens(text) == []


def test_hostile_corpus_and_large_inputs_in_linear_time():
    strings = json.loads((CORPUS / "hostile-strings.json").read_text(encoding="ascii"))["strings"]
    assert len(strings) >= 1000
    for text in strings:
        cleaned, _ = remove_tokens(text)
        assert find_tokens(cleaned) == []
    size = 1 << 20
    for text, expected in [
        ("ghp_" + "A" * size, 0),
        ("g" * size, 0),
        ("ghp_" * (size // 4), 0),
        ((TOKEN + " ") * (size // 41), size // 41),
    ]:
        start = time.monotonic()
        assert len(find_tokens(text)) == expected
        assert time.monotonic() - start < 2


def notebook(widget_value="", source="print(1)", description="GitHub token"):
    return {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "widgets": {
                WIDGET_MIME: {
                    "version_major": 2,
                    "version_minor": 0,
                    "state": {
                        MODEL_ID: {
                            "model_name": "PasswordModel",
                            "model_module": "@jupyter-widgets/controls",
                            "model_module_version": "2.0.0",
                            "state": {"value": widget_value, "description": description},
                        }
                    },
                }
            },
        },
        "cells": [
            {
                "cell_type": "code",
                "id": "c1",
                "metadata": {},
                "execution_count": None,
                "outputs": [],
                "source": source,
            }
        ],
    }


def saved_value(nb):
    return nb["metadata"]["widgets"][WIDGET_MIME]["state"][MODEL_ID]["state"]["value"]


def test_scrub_widget_state_in_place():
    nb = notebook(TOKEN, source=f'token = "{FINE}"', description=f"{TOKEN} twice {TOKEN}")
    assert scrub_widget_state(nb) == 3
    assert saved_value(nb) == ""
    assert nb["metadata"]["widgets"][WIDGET_MIME]["state"][MODEL_ID]["state"]["description"] == " twice "
    assert nb["cells"][0]["source"] == f'token = "{FINE}"'  # not widget state: left alone
    assert count_tokens(nb) == 1
    clean = notebook("")
    assert scrub_widget_state(clean) == 0 and clean == notebook("")
    not_a_notebook: object
    for not_a_notebook in (None, [], "x", {"metadata": []}, {"metadata": {"widgets": 3}}):
        assert scrub_widget_state(not_a_notebook) == 0
    # Keys, lists and deep nesting are scrubbed too, without recursion.
    deep = {"v": TOKEN}
    for _ in range(5000):
        deep = {"x": [deep]}
    nb = {"metadata": {"widgets": {TOKEN: deep}}}
    assert scrub_widget_state(nb) == 2
    assert count_tokens(nb) == 0


async def put_notebook(jp_fetch, path, nb):
    response = await jp_fetch(
        "api",
        "contents",
        path,
        method="PUT",
        body=json.dumps({"type": "notebook", "format": "json", "content": nb}),
    )
    assert response.code in (200, 201)
    return json.loads(response.body)


async def test_contents_api_save_loses_the_widget_value_and_keeps_the_rest(jp_fetch, jp_root_dir, all_logs):
    nb = notebook(TOKEN, source=f'token = "{FINE}"')
    await put_notebook(jp_fetch, "form.ipynb", nb)
    on_disk_text = (Path(jp_root_dir) / "form.ipynb").read_text(encoding="utf-8")
    assert TOKEN not in on_disk_text
    on_disk = json.loads(on_disk_text)
    assert saved_value(on_disk) == ""
    assert on_disk["metadata"]["kernelspec"]["name"] == "python3"
    # A token in a cell is the page's business (it asks first): kept, but logged.
    assert "".join(on_disk["cells"][0]["source"]) == f'token = "{FINE}"'
    messages = [r.getMessage() for r in all_logs.records if r.levelno >= logging.WARNING]
    assert any("removed 1 GitHub token(s) from the saved widget state of form.ipynb" in m for m in messages)
    assert any("form.ipynb is being saved with 1 GitHub token(s)" in m for m in messages)
    for record in all_logs.records:
        assert TOKEN not in record.getMessage() and FINE not in record.getMessage()

    # A checkpoint taken now copies the scrubbed file.
    response = await jp_fetch("api", "contents", "form.ipynb", "checkpoints", method="POST", body="")
    assert response.code == 201
    for file in Path(jp_root_dir).rglob("*"):
        if file.is_file():
            assert TOKEN.encode() not in file.read_bytes(), file


async def test_clean_notebooks_are_saved_untouched_and_unlogged(jp_fetch, jp_root_dir, all_logs):
    await put_notebook(jp_fetch, "clean.ipynb", notebook("not a token", source="ghp_short"))
    on_disk = json.loads((Path(jp_root_dir) / "clean.ipynb").read_text(encoding="utf-8"))
    assert saved_value(on_disk) == "not a token"
    assert not [r for r in all_logs.records if "jupyterlab_github_token:" in r.getMessage()]
    # Files that are not notebooks are not the hook's business.
    response = await jp_fetch(
        "api",
        "contents",
        "notes.txt",
        method="PUT",
        body=json.dumps({"type": "file", "format": "text", "content": TOKEN}),
    )
    assert response.code in (200, 201)
    assert (Path(jp_root_dir) / "notes.txt").read_text(encoding="utf-8") == TOKEN


async def test_the_administrator_can_turn_the_scrub_off(jp_fetch, jp_serverapp, jp_root_dir):
    config = jp_serverapp.web_app.settings[SETTINGS_KEY].config
    assert config.scrub_saved_widget_state is True
    config.scrub_saved_widget_state = False
    await put_notebook(jp_fetch, "kept.ipynb", notebook(TOKEN))
    on_disk = json.loads((Path(jp_root_dir) / "kept.ipynb").read_text(encoding="utf-8"))
    assert saved_value(on_disk) == TOKEN


# ---------------------------------------------------------------------------
# Former blind spots (issue 9): the page's rules, in the server
# ---------------------------------------------------------------------------

GLUED = FIXTURE_TOKENS.fixed_length("save-guard:blind-spots")
BAD = GLUED[:-1] + ("x" if GLUED[-1] != "x" else "y")  # checksum broken


def b64(text):
    return base64.b64encode(text.encode("latin-1")).decode("ascii")


def test_blind_spots_are_found():
    assert find_tokens("\u001b[1m" + GLUED) == [GLUED]
    assert find_tokens("token%20" + GLUED) == [GLUED]
    assert find_tokens("b'FOO=1\\n" + GLUED + "'") == [GLUED]
    assert find_tokens(GLUED + "_x") == [GLUED]
    assert find_tokens("Authorization: Basic " + b64("x-access-token:" + GLUED)) == [GLUED]
    assert find_tokens('t = "' + GLUED[:10] + '" + "' + GLUED[10:] + '"') == [GLUED]
    assert find_tokens("x" + BAD) == [] and find_tokens(BAD + "_x") == []
    # Image data is searched as it is, not decoded.
    assert find_tokens(b64("x:" + GLUED), image=True) == []
    assert decode_escapes("a\\nb\\x41%3A\u001b[0m") == "a\nbA:"


def test_tokens_split_across_cells_are_counted():
    assert find_split_tokens_across('a = "' + GLUED[:20] + '"\n', 'b = "' + GLUED[20:] + '"') == [GLUED]
    nb = notebook("")
    nb["cells"] = [
        {"cell_type": "code", "source": ['a = "' + GLUED[:20] + '"\n'], "outputs": []},
        {"cell_type": "code", "source": 'b = "' + GLUED[20:] + '"', "outputs": []},
    ]
    assert count_tokens(nb) == 0
    assert count_notebook_tokens(nb) == 1


def test_blind_spot_scan_is_linear():
    size = 1 << 20
    head = GLUED[:20]
    for text in [
        "Z2hwXdocFnaHBf" * (size // 14),
        ('"' + head + '" "') * (size // 26),
        "\\n\\x4" * (size // 5),
        "\u001b[" + "0" * size,
        "%4g%41" * (size // 6),
        ("x" + "ghp_" + "a" * 36) * (size // 41),
    ]:
        start = time.monotonic()
        assert find_tokens(text) == []
        assert time.monotonic() - start < 3


def test_widget_state_blind_spots_are_scrubbed():
    nb = notebook(GLUED + "_x", description="Basic " + b64("x:" + GLUED))
    assert scrub_widget_state(nb) == 2
    state = nb["metadata"]["widgets"][WIDGET_MIME]["state"][MODEL_ID]["state"]
    assert state == {"value": "_x", "description": ""}


async def put_file(jp_fetch, path, content, fmt="text"):
    response = await jp_fetch(
        "api",
        "contents",
        path,
        method="PUT",
        body=json.dumps({"type": "file", "format": fmt, "content": content}),
    )
    assert response.code in (200, 201)


def warnings(all_logs):
    messages = [r.getMessage() for r in all_logs.records if r.levelno >= logging.WARNING]
    for record in all_logs.records:
        assert TOKEN not in record.getMessage() and GLUED not in record.getMessage()
    return messages


@pytest.mark.parametrize("fmt", ["text", "base64"])
async def test_a_notebook_saved_as_a_file_loses_its_widget_value(jp_fetch, jp_root_dir, all_logs, fmt):
    # The text editor saves an .ipynb as text; the file browser uploads it as base64.
    nb = notebook(TOKEN, source="print(1)")
    nb["cells"][0]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "\u001b[1m" + GLUED}]
    text = json.dumps(nb, indent=2)
    await put_file(jp_fetch, "up.ipynb", text if fmt == "text" else base64.b64encode(text.encode()).decode(), fmt)
    on_disk_text = (Path(jp_root_dir) / "up.ipynb").read_text(encoding="utf-8")
    assert TOKEN not in on_disk_text
    on_disk = json.loads(on_disk_text)
    assert saved_value(on_disk) == ""
    assert on_disk["metadata"]["kernelspec"]["name"] == "python3"
    # Elsewhere: kept (the page asks), logged.
    assert on_disk["cells"][0]["outputs"][0]["text"] == "\u001b[1m" + GLUED
    messages = warnings(all_logs)
    assert any("removed 1 GitHub token(s) from the saved widget state of up.ipynb" in m for m in messages)
    assert any("up.ipynb is being saved with 1 GitHub token(s)" in m for m in messages)


async def test_files_saved_with_a_token_are_logged_and_kept(jp_fetch, jp_root_dir, all_logs):
    await put_file(jp_fetch, "broken.ipynb", '{"cells": [' + TOKEN)
    await put_file(jp_fetch, "script.py", 'print("%3A' + GLUED + '")\n')
    await put_file(jp_fetch, "clean.py", "print(1)\n")
    assert (Path(jp_root_dir) / "broken.ipynb").read_text(encoding="utf-8") == '{"cells": [' + TOKEN
    assert GLUED in (Path(jp_root_dir) / "script.py").read_text(encoding="utf-8")
    messages = warnings(all_logs)
    assert any("broken.ipynb is being saved with 1 GitHub token(s)" in m for m in messages)
    assert any("script.py is being saved with 1 GitHub token(s)" in m for m in messages)
    assert not any("clean.py" in m for m in messages)


async def test_a_notebook_printing_hidden_tokens_is_logged(jp_fetch, jp_root_dir, all_logs):
    nb = notebook("")
    nb["cells"][0]["outputs"] = [
        {"output_type": "stream", "name": "stdout", "text": ["Authorization: Basic ", b64("x-access-token:" + GLUED)]},
    ]
    await put_notebook(jp_fetch, "hidden.ipynb", nb)
    assert any("hidden.ipynb is being saved with" in m for m in warnings(all_logs))
