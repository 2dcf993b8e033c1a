"""The Chinese catalogue: every message translated, none fuzzy (Django skips fuzzy ones), the
placeholders kept, the compiled .mo in step with the .po, and the .po in step with the
sources (what makemessages finds, nothing added by hand that it would drop)."""

import ast
import gettext
import re
import shutil
from pathlib import Path

from django.core.management import call_command
from django.utils import translation

from config.said import filled, in_language, said

ROOT = Path(__file__).resolve().parents[1]
MESSAGES = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES"
PO, MO = MESSAGES / "django.po", MESSAGES / "django.mo"
# What makemessages is run over: the project without its environment, tests and benches.
SKIPPED = {".venv", ".local", ".git", "tests", "bench", "node_modules", "__pycache__"}
PLACEHOLDER = re.compile(r"%\(\w+\)[-+ #0]*\d*(?:\.\d+)?[sdfr]|\{\{ ?\w+ ?\}\}")


def entries(path: Path) -> dict[tuple, dict]:
    """{(context, msgid): {"msgstr", "flags"}} of a .po file (the header left out)."""
    found = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        parts, key, flags = {}, None, set()
        for line in block.splitlines():
            if line.startswith("#,"):
                flags |= {f.strip() for f in line[2:].split(",")}
            elif match := re.match(r"^(msgctxt|msgid|msgstr) (\".*\")$", line):
                key = match.group(1)
                parts[key] = ast.literal_eval(match.group(2))
            elif line.startswith('"') and key:
                parts[key] += ast.literal_eval(line)
            elif line.startswith("#~"):
                flags.add("obsolete")
        if parts.get("msgid"):
            found[(parts.get("msgctxt"), parts["msgid"])] = {"msgstr": parts.get("msgstr", ""),
                                                            "flags": flags}
    return found


def test_it_translates_every_message_and_leaves_none_fuzzy():
    found = entries(PO)
    assert len(found) > 400
    assert [k for k, e in found.items() if not e["msgstr"]] == []
    assert [k for k, e in found.items() if "fuzzy" in e["flags"]] == []
    assert [k for k, e in found.items() if "obsolete" in e["flags"]] == []


def test_it_keeps_the_placeholders_in_every_translation():
    wrong = [(k, e["msgstr"]) for k, e in entries(PO).items()
             if sorted(PLACEHOLDER.findall(k[1])) != sorted(PLACEHOLDER.findall(e["msgstr"]))]
    assert wrong == []


def test_it_ships_the_compiled_catalogue_of_the_po():
    with MO.open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)._catalog
    expected = {(f"{ctx}\x04{msgid}" if ctx else msgid): e["msgstr"]
                for (ctx, msgid), e in entries(PO).items()}
    compiled = {k: v for k, v in compiled.items() if k != ""}
    assert sorted(set(expected) ^ set(compiled)) == []
    assert [k for k in expected if expected[k] != compiled[k]] == []


def _sources(dest: Path) -> None:
    for path in ROOT.iterdir():
        if path.name in SKIPPED or path.name.startswith("."):
            continue
        if path.is_dir():
            shutil.copytree(path, dest / path.name, ignore=shutil.ignore_patterns(
                *SKIPPED, "*.pyc", "*.mo", "*.gz", "*.gpkg", "*.zip", "*.csv", "*.png"))
        elif path.suffix == ".py":
            shutil.copy(path, dest / path.name)


def test_it_holds_what_makemessages_finds_in_the_sources(tmp_path, monkeypatch, settings):
    _sources(tmp_path)
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    monkeypatch.chdir(tmp_path)
    call_command("makemessages", locale=["zh_Hans"], no_obsolete=True, verbosity=0,
                 ignore_patterns=list(SKIPPED))
    remade = entries(tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po")
    kept = entries(PO)
    # in the sources, not in the catalogue / in the catalogue, gone from the sources
    assert sorted(set(remade) - set(kept), key=str) == []
    assert sorted(set(kept) - set(remade), key=str) == []
    assert {k: e["msgstr"] for k, e in remade.items()} == {k: e["msgstr"]
                                                           for k, e in kept.items()}


def test_it_says_a_kept_finding_in_the_active_language_with_its_parameters():
    shift = said("%(distance).0f m (%(east)+.0f m east, %(north)+.0f m north)",
                 {"distance": 5.2, "east": -3.0, "north": 4.0})
    template = "no points to check for the GCJ-02 shift"
    finding = {"message": "English", "template": "%(name)s: write numbers in Chinese characters",
               "params": {"name": "1号路"}}
    with translation.override("zh-hans"):
        assert in_language(finding) == "1号路：数字应以汉字书写"
        assert in_language({"template": template}) == "没有可用于检查 GCJ-02 偏移的点"
        assert in_language({"message": "kept before templates"}) == "kept before templates"
        assert _fill_nested(shift) == "5 米（东向 -3 米，北向 +4 米）"
    with translation.override("en"):
        assert in_language(finding) == "1号路: write numbers in Chinese characters"
    assert filled(shift["template"], shift["params"]) == "5 m (-3 m east, +4 m north)"


def _fill_nested(message: dict) -> str:
    return in_language({"template": "%(x)s", "params": {"x": message}})
