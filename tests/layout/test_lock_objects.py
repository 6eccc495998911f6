"""Row locks are taken in one place per app (STYLE: Saleor's ``lock_objects.py``): every
``select_for_update`` of the project is built in an app's ``lock_objects.py``, and every
function there orders its rows by primary key, so two writers locking overlapping rows take
the locks in the same order and cannot deadlock. Read from the source."""

from __future__ import annotations

import ast

from .test_layers import MODULES, ROOT

LOCK_MODULES = {name: path for name, path in MODULES.items() if path.name == "lock_objects.py"}


def calls_named(tree: ast.AST, attribute: str) -> list[ast.Call]:
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == attribute
    ]


def is_pk_order(call: ast.Call) -> bool:
    return [getattr(arg, "value", None) for arg in call.args] == ["pk"] and not call.keywords


def is_self_only(call: ast.Call) -> bool:
    """``select_for_update(of=("self",))``: joined rows are read, not locked."""
    return any(
        keyword.arg == "of"
        and isinstance(keyword.value, ast.Tuple)
        and [getattr(item, "value", None) for item in keyword.value.elts] == ["self"]
        for keyword in call.keywords
    )


def test_select_for_update_is_only_built_in_lock_objects():
    outside = [
        f"{path.relative_to(ROOT)}:{call.lineno}"
        for name, path in MODULES.items()
        if name not in LOCK_MODULES
        for call in calls_named(ast.parse(path.read_text(), str(path)), "select_for_update")
    ]
    assert outside == [], "lock rows through the app's lock_objects.py"


def lock_functions():
    for name, path in sorted(LOCK_MODULES.items()):
        for node in ast.parse(path.read_text(), str(path)).body:
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                yield f"{name}.{node.name}", node


def test_every_lock_objects_function_locks_its_own_rows_in_pk_order():
    wrong = []
    for name, function in lock_functions():
        locks, orders = calls_named(function, "select_for_update"), calls_named(function, "order_by")
        if not locks:
            wrong.append(f"{name}: builds no select_for_update")
        if not orders or not all(is_pk_order(call) for call in orders):
            wrong.append(f"{name}: not ordered by pk alone")
        if not all(is_self_only(call) for call in locks):
            wrong.append(f'{name}: locks more than its own rows (of=("self",))')
    assert wrong == []


def test_the_apps_that_lock_rows_have_their_lock_objects():
    assert {"coupons.lock_objects", "items.lock_objects"} <= set(LOCK_MODULES)
    assert len(list(lock_functions())) >= 10


def test_the_check_sees_a_lock_built_elsewhere_and_an_unordered_one():
    stray = ast.parse("def f():\n    return Clip.objects.select_for_update().filter(pk=1)\n")
    assert calls_named(stray, "select_for_update")
    unordered = stray.body[0]
    assert not calls_named(unordered, "order_by")
    assert not is_self_only(calls_named(unordered, "select_for_update")[0])
    other_order = ast.parse('Clip.objects.order_by("-pk")').body[0].value
    assert not is_pk_order(other_order)
