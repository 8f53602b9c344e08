"""Every command and option is documented in both READMEs (as datasette's test_docs does)."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer.main

from reclaim.cli.app import build_app
from reclaim.locale import load_translator

ROOT = Path(__file__).resolve().parents[1]
READMES = {name: (ROOT / name).read_text(encoding="utf-8") for name in ("README.md", "README.zh.md")}


def documented_surface() -> list[tuple[str, str]]:
    command = typer.main.get_command(build_app(load_translator("en")))
    surface = []
    for option in command.params:
        surface.extend(("reclaim", flag) for flag in option.opts if flag.startswith("--"))
    for name, sub in command.commands.items():  # type: ignore[attr-defined]
        surface.append((name, f"reclaim {name}"))
        for option in sub.params:
            surface.extend((name, flag) for flag in option.opts if flag.startswith("--") and flag != "--help")
    return surface


@pytest.mark.parametrize("readme", sorted(READMES))
@pytest.mark.parametrize(("command", "text"), documented_surface())
def test_command_and_option_is_in_the_readme(readme: str, command: str, text: str) -> None:
    assert text in READMES[readme], f"{command}: {text} is missing from {readme}"


@pytest.mark.parametrize("readme", sorted(READMES))
def test_readme_starts_with_the_two_setup_commands(readme: str) -> None:
    first_block = READMES[readme].split("```bash", 1)[1].split("```", 1)[0]
    lines = [line.split("#")[0].strip() for line in first_block.strip().splitlines()]
    assert lines == ["pip install . && reclaim demo", "pip install '.[dev]' && pytest"]
