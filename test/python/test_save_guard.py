"""The server's pre-save hook: no GitHub token in a notebook's saved widget state.

Saves made outside the JupyterLab page (real-time collaboration, other clients
of the contents API) do not pass through the page's leak guard; these tests
save through the REST contents API directly, as such a client would.
"""

import json
import logging
import time
from pathlib import Path

import pytest
from conftest import ROOT, TOKENS

from jupyterlab_github_token.handlers import SETTINGS_KEY
from jupyterlab_github_token.save_guard import (
    count_tokens,
    find_tokens,
    remove_tokens,
    scrub_widget_state,
)

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
        "api", "contents", path, method="PUT",
        body=json.dumps({"type": "notebook", "format": "json", "content": nb}),
    )
    assert response.code in (200, 201)
    return json.loads(response.body)


async def test_contents_api_save_loses_the_widget_value_and_keeps_the_rest(
    jp_fetch, jp_root_dir, all_logs
):
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
        "api", "contents", "notes.txt", method="PUT",
        body=json.dumps({"type": "file", "format": "text", "content": TOKEN}),
    )
    assert response.code in (200, 201)
    assert (Path(jp_root_dir) / "notes.txt").read_text(encoding="utf-8") == TOKEN


async def test_the_administrator_can_turn_the_scrub_off(jp_fetch, jp_serverapp, jp_root_dir):
    config = jp_serverapp.web_app.settings[SETTINGS_KEY]["config"]
    assert config.scrub_saved_widget_state is True
    config.scrub_saved_widget_state = False
    await put_notebook(jp_fetch, "kept.ipynb", notebook(TOKEN))
    on_disk = json.loads((Path(jp_root_dir) / "kept.ipynb").read_text(encoding="utf-8"))
    assert saved_value(on_disk) == TOKEN
