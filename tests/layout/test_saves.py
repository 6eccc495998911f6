"""A model row is saved with ``update_fields`` (STYLE, from Zulip): a save that names no
fields rewrites every column, racing with whoever wrote another column meanwhile, and
rewrites large values nobody changed (a push's body). A new row says so with
``force_insert=True`` (or is made with ``objects.create``). Read from the source; Django's
own saves (``ModelAdmin.save_model``, a DRF serializer's ``save``) are not ours to check."""

from __future__ import annotations

import ast

from .test_layers import MODULES, ROOT

MODEL_SAVE_KEYWORDS = {"force_insert", "force_update", "using", "update_fields"}

# (module, function or "*" for any): why a save there may name no fields. Each entry must
# still be needed.
ALLOWED: dict[tuple[str, str], str] = {
    ("labels.pdf", "tags_pdf"): "a reportlab Canvas's save() writes the PDF; it is no model",
}


def allowed(name: str, function: str) -> bool:
    return (name, function) in ALLOWED or (name, "*") in ALLOWED


def is_model_save(call: ast.Call) -> bool:
    """``x.save(...)`` as Model.save is called: keywords only, of Model.save's own (a
    storage's or a file field's ``save(name, content)`` and a serializer's ``save(**data)``
    are something else)."""
    return (
        isinstance(call.func, ast.Attribute)
        and call.func.attr == "save"
        and not call.args
        and all(keyword.arg in MODEL_SAVE_KEYWORDS for keyword in call.keywords)
    )


def names_its_fields(call: ast.Call) -> bool:
    for keyword in call.keywords:
        if keyword.arg == "update_fields":
            return True
        if keyword.arg == "force_insert" and not (isinstance(keyword.value, ast.Constant) and not keyword.value.value):
            return True
    return False


def bare_saves(name: str, tree: ast.AST) -> list[tuple[str, int]]:
    """(enclosing function, line) of each model save that names no fields."""
    found = []

    def visit(node: ast.AST, function: str) -> None:
        for child in ast.iter_child_nodes(node):
            inner = child.name if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) else function
            if isinstance(child, ast.Call) and is_model_save(child) and not names_its_fields(child):
                found.append((function, child.lineno))
            visit(child, inner)

    visit(tree, "<module>")
    return found


def project_bare_saves() -> dict[tuple[str, str], list[int]]:
    saves: dict[tuple[str, str], list[int]] = {}
    for name, path in MODULES.items():
        for function, line in bare_saves(name, ast.parse(path.read_text(), str(path))):
            saves.setdefault((name, function), []).append(line)
    return saves


def test_every_model_save_names_its_fields_or_is_a_creation():
    saves = project_bare_saves()
    wrong = [
        f"{MODULES[name].relative_to(ROOT)}:{line} in {function}()"
        for (name, function), lines in sorted(saves.items())
        if not allowed(name, function)
        for line in lines
    ]
    assert wrong == [], "save(update_fields=[...]), or save(force_insert=True) for a new row"


def test_every_allowance_is_still_needed():
    saves = project_bare_saves()
    used = {(name, "*") for name, _function in saves} | set(saves)
    assert [f"{name}.{function}" for name, function in ALLOWED if (name, function) not in used] == []


def test_the_check_tells_a_bare_save_from_others():
    source = """
def f(row, storage, serializer, image):
    row.save()
    row.save(using="default")
    row.save(update_fields=["name"])
    row.save(force_insert=True)
    row.save(force_insert=False)
    storage.save("path", b"content")
    image.file.save("name", b"content", save=False)
    serializer.save(updated_at=now)
"""
    assert [line for _function, line in bare_saves("m", ast.parse(source))] == [3, 4, 7]
