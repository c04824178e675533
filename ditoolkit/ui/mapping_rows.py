"""One row of the mapping editor: a field pair with a dropdown per side, a badge and a hint.

The badge sums up the validation findings that name the row's fields: ``ok`` (none),
``warning`` (values are converted or checked row by row) or ``blocking`` (the pair cannot
work); the hint is the first finding's fix.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import ipywidgets as widgets

from ditoolkit.core.findings import Finding
from ditoolkit.core.mapping import FieldPair
from ditoolkit.ui.html import badge_html

#: The dropdown choice meaning "no field on this side".
NOT_SET = ""


def severity_badge(findings: Iterable[Finding]) -> str:
    """``blocking`` when any finding is an error, ``warning`` when any is one, else ``ok``."""
    severities = {f.severity for f in findings}
    if "error" in severities:
        return "blocking"
    return "warning" if "warning" in severities else "ok"


def _options(names: Sequence[str], current: str | None) -> list[str]:
    """The dropdown's choices: not set, the schema's fields, and the current name if unknown."""
    choices = [NOT_SET, *names]
    if current and current not in choices:
        choices.append(current)
    return choices


class PairRow:
    """A field pair as two dropdowns (left side, right side), a badge and a fix hint.

    Args:
        pair: the pair being edited (its transforms, default and value map are kept).
        sides: the two sides the dropdowns stand for, e.g. ``("salesforce", "dialoginsight")``.
        choices: the field names offered on each side.
        label: text before the dropdowns (``Key``, ``Field``, ``Opt-in``).
        on_change: called after either dropdown changes.
        on_remove: called with the row when its remove button is pressed (none for the key).
    """

    def __init__(
        self,
        pair: FieldPair,
        *,
        sides: tuple[str, str],
        choices: tuple[Sequence[str], Sequence[str]],
        label: str,
        on_change: Callable[[], None],
        on_remove: Callable[[PairRow], None] | None = None,
    ) -> None:
        self.original = pair
        self.sides = sides
        self.left = widgets.Dropdown(layout=widgets.Layout(width="220px"))
        self.right = widgets.Dropdown(layout=widgets.Layout(width="220px"))
        self.set_choices(choices)
        self.badge = widgets.HTML(layout=widgets.Layout(width="90px"))
        self.hint = widgets.HTML()
        self.findings: list[Finding] = []
        parts: list[widgets.Widget] = [
            widgets.Label(label, layout=widgets.Layout(width="60px")),
            self.left,
            widgets.Label("↔"),
            self.right,
            self.badge,
        ]
        if on_remove is not None:
            remove = widgets.Button(icon="trash", tooltip="remove this pair")
            remove.layout.width = "40px"
            remove.on_click(lambda _b: on_remove(self))
            parts.append(remove)
        parts.append(self.hint)
        self.widget = widgets.HBox(parts)
        for dropdown in (self.left, self.right):
            dropdown.observe(lambda _change: on_change(), names="value")

    def set_choices(self, choices: tuple[Sequence[str], Sequence[str]]) -> None:
        """Offer new field names on each side, keeping the current choices."""
        for dropdown, side, names in zip((self.left, self.right), self.sides, choices, strict=True):
            current = dropdown.value if dropdown.options else self.original.name(side)
            dropdown.options = _options(names, current)
            dropdown.value = current or NOT_SET

    @property
    def names(self) -> dict[str, str | None]:
        """The chosen field name on each side (``None`` when not set)."""
        return {
            self.sides[0]: self.left.value or None,
            self.sides[1]: self.right.value or None,
        }

    def pair(self, *, sides: tuple[str, str] | None = None) -> FieldPair:
        """The edited pair.

        While both names are the original ones, the original pair is kept whole (transforms,
        default, value map, format); a pair whose fields changed starts plain, since those
        settings belonged to the fields chosen before.
        """
        names = self.names
        if sides is not None:  # the row now stands for other sides (a CSV column, say)
            names = dict(zip(sides, names.values(), strict=True))
        if all(self.original.name(side) == name for side, name in names.items()):
            return self.original
        return FieldPair(**names)

    def show(self, findings: Sequence[Finding]) -> None:
        """Badge and hint from the findings that name this row's fields."""
        chosen = {name for name in self.names.values() if name}
        self.findings = [f for f in findings if f.field in chosen]
        if len(chosen) < 2:
            self.badge.value = badge_html("warning", title="pick a field on both sides")
            self.hint.value = "<i>pick a field on both sides</i>"
            return
        level = severity_badge(self.findings)
        first = self.findings[0] if self.findings else None
        title = "; ".join(f.message for f in self.findings)
        self.badge.value = badge_html(level, title=title)
        if first is None:
            self.hint.value = ""
        else:
            import html

            self.hint.value = f"<small>{html.escape(first.hint or first.message)}</small>"

    @property
    def level(self) -> str:
        """The badge's level: ``ok``, ``warning`` or ``blocking``."""
        if sum(1 for name in self.names.values() if name) < 2:
            return "warning"
        return severity_badge(self.findings)
