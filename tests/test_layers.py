"""Imports run one way: a check over the import graph of every product module.

The layers, lowest first; a module may import its own component and any lower layer,
never a higher layer nor another component of its own layer (proposals and
inspections are siblings). An app added without a place here fails the check.
Read from the source (the AST), so imports inside functions count too.
"""

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOT_PRODUCT = {"tests", "bench", "fixtures", "scripts", "deploy"}

# (component, the module prefixes it holds), one list per layer, lowest first.
LAYERS = [
    # config is base (errors, db, middleware, uploads, settings…) but for its top modules
    [("base", ["config"])],
    [("ops", ["ops"])],  # backup, restore, database roles: names apps by label only
    [("accounts", ["accounts"])],
    [("jobs", ["jobs"])],  # the task queue: higher apps register their handlers in it
    [("boundaries", ["boundaries"])],
    [("gazetteer", ["gazetteer"])],
    [("importers", ["importers"])],
    [("proposals", ["proposals"]), ("inspections", ["inspections"])],
    # above the gazetteer (name checks) and inspections (lines, markers)
    [("mergers", ["mergers"])],
    # the archives' documents link to divisions' changes, lines, places, proposals and
    # inspections: above them all; nothing below names the archives. Clean-up campaigns
    # (the name checks over names in use, renaming proposals) are their sibling.
    [("archives", ["archives"]), ("campaigns", ["campaigns"])],
    [("ogc", ["ogc"])],
    [("tiles", ["tiles"])],  # reads boundaries, gazetteer and inspections' tables
    [("demo", ["demo"])],
    # what settings and servers name (the rate-limit middleware asks who holds a token)
    [("top", ["config.api", "config.urls", "config.wsgi", "config.ratelimit"])],
]

# Edges allowed to break the order for a while, as (importing module, imported module); an
# entry that no longer occurs fails the check, so it cannot go stale. None now: accounts
# owns roles and authentication (issue 8).
KNOWN_PENDING: set[tuple[str, str]] = set()

# Where "no Http404" holds: reads, writes and endpoints raise config.errors types.
HTTP404_FREE = ("selectors", "services", "api")


@dataclass(frozen=True)
class Module:
    name: str
    path: Path
    tree: ast.Module

    def where(self, node: ast.AST) -> str:
        return f"{self.path.relative_to(ROOT)}:{node.lineno}"

    @property
    def is_migration(self) -> bool:
        return ".migrations." in f".{self.name}."


def _packages() -> list[str]:
    return sorted(p.name for p in ROOT.iterdir()
                  if (p / "__init__.py").exists() and p.name not in NOT_PRODUCT)


def _modules() -> list[Module]:
    found = []
    for package in _packages():
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found.append(Module(name, path, ast.parse(path.read_text(encoding="utf-8"))))
    return found


MODULES = _modules()
PROJECT = {m.name.split(".")[0] for m in MODULES}
KNOWN = {m.name for m in MODULES}


def _rank(name: str) -> tuple[int, str] | None:
    """(layer, component) of a module by its longest matching prefix."""
    best = None
    for rank, layer in enumerate(LAYERS):
        for component, prefixes in layer:
            for prefix in prefixes:
                if (name == prefix or name.startswith(prefix + ".")) and (
                        best is None or len(prefix) > best[2]):
                    best = (rank, component, len(prefix))
    return best and best[:2]


def _imports(module: Module):
    """(node, imported module) for every project import, relative ones resolved."""
    package = module.name.split(".")
    if module.path.name != "__init__.py":
        package = package[:-1]
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[:len(package) - node.level + 1] + ([base] if base else []))
            # `from config import errors` imports config.errors
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in KNOWN else base
                       for a in node.names]
        else:
            continue
        for target in dict.fromkeys(targets):
            if target.split(".")[0] in PROJECT:
                yield node, target


def _import_problems() -> tuple[list[str], set[tuple[str, str]]]:
    problems, pending_seen = [], set()
    for module in MODULES:
        if module.is_migration:
            continue  # checked on their own: they import no project module at all
        mine = _rank(module.name)
        if mine is None:
            problems.append(f"{module.path.relative_to(ROOT)}: {module.name} has no layer; "
                            "place it in LAYERS (tests/test_layers.py)")
            continue
        for node, target in _imports(module):
            theirs = _rank(target)
            if theirs is None:
                problems.append(f"{module.where(node)}: {module.name} imports {target}, "
                                "which has no layer")
            elif theirs[1] != mine[1] and theirs[0] >= mine[0]:
                edge = (module.name, target)
                if edge in KNOWN_PENDING:
                    pending_seen.add(edge)
                    continue
                how = "a sibling" if theirs[0] == mine[0] else "a higher layer"
                problems.append(f"{module.where(node)}: {module.name} ({mine[1]}) imports "
                                f"{target} ({theirs[1]}), {how}")
    return problems, pending_seen


def test_it_finds_the_product_modules():
    names = {m.name for m in MODULES}
    assert {"boundaries.selectors", "config.api", "demo.places"} <= names
    assert not any(n.split(".")[0] in NOT_PRODUCT for n in names)


def test_it_keeps_every_import_edge_in_layer_order():
    problems, _ = _import_problems()
    assert not problems, "imports against the layer order:\n" + "\n".join(problems)


def test_it_keeps_no_stale_known_pending_edge():
    _, seen = _import_problems()
    stale = sorted(KNOWN_PENDING - seen)
    assert not stale, f"no longer imported, remove from KNOWN_PENDING: {stale}"


def test_it_uses_no_date_today():
    found = []
    for module in MODULES:
        for node in ast.walk(module.tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "today"
                    and ast.unparse(node.func.value).split(".")[-1] in ("date", "datetime")):
                found.append(f"{module.where(node)}: {ast.unparse(node)}")
    assert not found, ("'today' is boundaries.temporal.today() (the Beijing date):\n"
                       + "\n".join(found))


def _http404_free(module: Module) -> bool:
    parts = module.name.split(".")
    return parts[0] == "importers" or parts[-1] in HTTP404_FREE


def test_it_raises_no_http404_below_the_api_handler():
    found = []
    for module in filter(_http404_free, MODULES):
        for node in ast.walk(module.tree):
            named = (node.id if isinstance(node, ast.Name)
                     else node.attr if isinstance(node, ast.Attribute)
                     else None)
            if named == "Http404" or (isinstance(node, ast.alias) and node.name == "Http404"):
                found.append(f"{module.where(node)}: Http404")
    assert not found, ("selectors, services, api modules and importers use config.errors "
                       "(NotFound), not Http404:\n" + "\n".join(found))


def _docstrings(tree: ast.Module) -> set[int]:
    return {id(node.body[0].value) for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef))
            and node.body and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)}


def _live_files(module: Module):
    """Paths into the project's fixtures or from its BASE_DIR (docstrings may tell history)."""
    told = _docstrings(module.tree)
    for node in ast.walk(module.tree):
        if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                and "fixtures" in node.value and id(node) not in told):
            yield node, repr(node.value)
        elif isinstance(node, ast.Attribute) and node.attr == "BASE_DIR":
            yield node, ast.unparse(node)


@pytest.mark.parametrize("module", [m for m in MODULES if m.is_migration],
                         ids=lambda m: m.name)
def test_it_freezes_what_a_migration_needs(module):
    found = [f"{module.where(node)}: imports {target}" for node, target in _imports(module)]
    found += [f"{module.where(node)}: reads {what}" for node, what in _live_files(module)]
    assert not found, ("a migration imports no project code and reads no live file "
                       "(copy what it needs into it):\n" + "\n".join(found))
