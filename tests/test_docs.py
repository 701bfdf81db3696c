"""Docs that cannot drift: every command is in the README, every setting in docs/settings.md."""

from click.testing import CliRunner

from newsprism import settings
from newsprism.cli import main

from .conftest import ROOT


def test_every_command_is_documented_with_an_example():
    readme = (ROOT / "README.md").read_text()
    for name, command in main.commands.items():
        assert f"newsprism {name}" in readme, name
        assert "Example" in (command.help or ""), name


def test_settings_doc_is_generated_from_the_table():
    assert (ROOT / "docs" / "settings.md").read_text() == settings.markdown_table()


def test_settings_command_lists_every_setting():
    output = CliRunner().invoke(main, ["settings"]).output
    for s in settings.SETTINGS:
        assert s.name in output
