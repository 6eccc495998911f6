"""Hooks higher floors register to hear of the catalog's changes (the items floor cannot
import them). A hook runs inside the items push's transaction, after the push recorded its
label changes, with those changes; it must be quick and set-based, and what it writes
commits (or rolls back) with the push."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import LabelChange

LabelChangesHook = Callable[[Sequence["LabelChange"]], None]

_label_changes_hooks: list[LabelChangesHook] = []


def label_changes_hook_register(hook: LabelChangesHook) -> None:
    """Call ``hook`` with the label changes of every items push that records some
    (registering the same function twice registers it once)."""
    if hook not in _label_changes_hooks:
        _label_changes_hooks.append(hook)


def label_changes_notify(changes: Sequence[LabelChange]) -> None:
    for hook in _label_changes_hooks:
        hook(changes)
