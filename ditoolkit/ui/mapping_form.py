"""The form of one transfer in the mapping editor: sides, direction, pairs, operations.

Rows are :class:`~ditoolkit.ui.mapping_rows.PairRow` s with the Salesforce object's fields (or
the CSV file's columns) on the left and the DI table's fields on the right. Opt-in rows are
shown only while the direction is DI → Salesforce (DI guide step 4.3).
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Callable, Sequence

import ipywidgets as widgets

from ditoolkit.core.findings import Finding
from ditoolkit.core.mapping import (
    DIRECTIONS,
    OPERATIONS,
    DiSide,
    FieldPair,
    SalesforceSide,
    Transfer,
)
from ditoolkit.port import FieldSchema, FieldType, TableSchema
from ditoolkit.ui.mapping_rows import PairRow
from ditoolkit.ui.schemas import LiveSchemas

DIRECTION_LABELS = {
    "sf_to_di": "Salesforce → DI",
    "di_to_sf": "DI → Salesforce",
    "both": "both ways",
}


def _names(
    schema: TableSchema | None, *, keep: Callable[[FieldSchema], bool] | None = None
) -> list[str]:
    if schema is None:
        return []
    return [f.name for f in schema.fields if keep is None or keep(f)]


class TransferForm:
    """Widgets for one transfer; :meth:`transfer` reads them back into a :class:`Transfer`.

    Args:
        transfer: the transfer to edit.
        schemas: the live schemas that fill the dropdowns.
        default_project: the mapping's project (used when the transfer names none).
        on_change: called after any edit.

    Attributes:
        key_row: the key pair's row (first, as in the DI guide).
        field_rows: one row per field pair.
        optin_rows: one row per opt-in pair.
        operation_boxes: ``insert``, ``update``, ``delete`` → checkbox.
    """

    def __init__(
        self,
        transfer: Transfer,
        *,
        schemas: LiveSchemas,
        default_project: int | None,
        on_change: Callable[[], None],
    ) -> None:
        self.original = transfer
        self.schemas = schemas
        self._on_change = on_change
        self._quiet = True
        self.left_side = "csv" if transfer.csv is not None else "salesforce"
        self.constants = tuple(p for p in transfer.fields if p.constant)
        self.name_text = widgets.Text(value=transfer.name, description="Name")
        self.direction = widgets.Dropdown(
            options=[(DIRECTION_LABELS[d], d) for d in DIRECTIONS],
            value=transfer.direction,
            description="Direction",
        )
        self.object_picker = widgets.Dropdown(description="SF object")
        self.project_picker = widgets.Dropdown(description="DI project")
        self.table_picker = widgets.Dropdown(description="DI table")
        self._fill_sides(transfer, default_project)
        self.key_row = self._row(transfer.key, label="Key")
        self.field_rows = [self._row(p, removable=True) for p in transfer.fields if not p.constant]
        self.optin_rows = [self._row(p, optin=True) for p in transfer.optins]
        self.operation_boxes = {
            op: widgets.Checkbox(value=op in transfer.operations, description=op, indent=False)
            for op in OPERATIONS
        }
        self.nulls = widgets.Dropdown(
            options=["leave", "clear"], value=transfer.nulls, description="Nulls"
        )
        self.fields_box = widgets.VBox()
        self.optins_box = widgets.VBox()
        self.form_hint = widgets.HTML()
        self.add_field_button = widgets.Button(description="Add field", icon="plus")
        self.add_optin_button = widgets.Button(description="Add opt-in", icon="plus")
        self.add_field_button.on_click(lambda _b: self.add_field())
        self.add_optin_button.on_click(lambda _b: self.add_optin())
        for control in (
            self.name_text,
            self.direction,
            self.nulls,
            *self.operation_boxes.values(),
        ):
            control.observe(lambda _c: self._changed(), names="value")
        for picker in (self.object_picker, self.project_picker, self.table_picker):
            picker.observe(lambda _c: self._sides_changed(), names="value")
        self.widget = widgets.VBox()
        self._layout()
        self._quiet = False

    # --- building ------------------------------------------------------------------------

    def _fill_sides(self, transfer: Transfer, default_project: int | None) -> None:
        objects = self.schemas.objects()
        current = transfer.salesforce.object if transfer.salesforce else None
        self.object_picker.options = objects + (
            [current] if current and current not in objects else []
        )
        self.object_picker.value = current
        self.object_picker.disabled = transfer.csv is not None
        projects = self.schemas.projects()
        options = [
            (f"{int(r.idProject)} {r.name} (type {r.type or '?'})", int(r.idProject))
            for r in projects.itertuples()
        ]
        project = transfer.project if transfer.project is not None else default_project
        if project is not None and project not in [v for _, v in options]:
            options.append((f"{project} (unknown)", project))
        self.project_picker.options = options
        self.project_picker.value = project
        self._fill_tables(transfer.dialoginsight.table if transfer.dialoginsight else None)

    def _fill_tables(self, current: str | None) -> None:
        tables = self.schemas.tables(self.project_picker.value)
        self.table_picker.options = tables + (
            [current] if current and current not in tables else []
        )
        self.table_picker.value = current if current else (tables[0] if tables else None)

    def _choices(self, *, optin: bool) -> tuple[list[str], list[str]]:
        left_schema = (
            self.schemas.csv(self.original)
            if self.left_side == "csv"
            else self.schemas.salesforce(self.object_picker.value)
        )
        right_schema = self.schemas.dialoginsight(
            self.project_picker.value, self.table_picker.value
        )
        if not optin:
            right = _names(right_schema)
            if (
                right_schema is not None
                and self.table_picker.value == "Contact"
                and "idContact" not in right
            ):
                right.insert(0, "idContact")
            return _names(left_schema), right
        boolean = _names(left_schema, keep=lambda f: f.type is FieldType.BOOLEAN)
        return boolean, _names(right_schema, keep=lambda f: f.optin)

    def _row(
        self, pair: FieldPair, *, label: str = "", removable: bool = False, optin: bool = False
    ) -> PairRow:
        return PairRow(
            pair,
            sides=(self.left_side, "dialoginsight"),
            choices=self._choices(optin=optin),
            label=label or ("Opt-in" if optin else "Field"),
            on_change=self._changed,
            on_remove=self.remove_row if removable or optin else None,
        )

    def _layout(self) -> None:
        self.fields_box.children = [self.key_row.widget, *(r.widget for r in self.field_rows)]
        self.optins_box.children = [r.widget for r in self.optin_rows]
        constants = "".join(
            f"<li>{html.escape(str(p.name(self._target_side())))} = {html.escape(repr(p.value))}</li>"
            for p in self.constants
        )
        left = (
            widgets.HTML(f"CSV file <code>{html.escape(self.original.csv.path)}</code>")
            if self.original.csv is not None
            else self.object_picker
        )
        optins_visible = self.direction.value == "di_to_sf"
        optin_part = (
            [
                widgets.HTML("<b>Opt-ins</b> (DI → Salesforce only)"),
                self.optins_box,
                self.add_optin_button,
            ]
            if optins_visible
            else [
                widgets.HTML(
                    "<i>Opt-ins go from DI to Salesforce only: choose DI → Salesforce to add them.</i>"
                )
            ]
        )
        self.widget.children = [
            widgets.HBox([self.name_text, self.direction]),
            widgets.HBox([left, self.project_picker, self.table_picker]),
            widgets.HTML(
                "<b>Key first</b>, then the fields (left: "
                f"{'the CSV file' if self.left_side == 'csv' else 'Salesforce'}, right: Dialog Insight)"
            ),
            self.fields_box,
            self.add_field_button,
            widgets.HTML(f"<b>Constants</b> (kept as in the file)<ul>{constants}</ul>")
            if constants
            else widgets.HTML(),
            *optin_part,
            widgets.HBox([widgets.Label("Operations"), *self.operation_boxes.values(), self.nulls]),
            self.form_hint,
        ]

    def _target_side(self) -> str:
        return "salesforce" if self.direction.value == "di_to_sf" else "dialoginsight"

    # --- edits ---------------------------------------------------------------------------

    def _changed(self) -> None:
        if self._quiet:
            return
        self._layout()
        self._on_change()

    def _sides_changed(self) -> None:
        if self._quiet:
            return
        self._quiet = True
        try:
            if self.table_picker.value not in self.schemas.tables(self.project_picker.value):
                self._fill_tables(None)
            for row in (self.key_row, *self.field_rows):
                row.set_choices(self._choices(optin=False))
            for row in self.optin_rows:
                row.set_choices(self._choices(optin=True))
        finally:
            self._quiet = False
        self._changed()

    def add_field(self) -> PairRow:
        """Add an empty field row."""
        row = self._row(FieldPair(), removable=True)
        self.field_rows.append(row)
        self._changed()
        return row

    def add_optin(self) -> PairRow:
        """Add an empty opt-in row."""
        row = self._row(FieldPair(), optin=True)
        self.optin_rows.append(row)
        self._changed()
        return row

    def remove_row(self, row: PairRow) -> None:
        """Remove a field or opt-in row."""
        for rows in (self.field_rows, self.optin_rows):
            if row in rows:
                rows.remove(row)
        self._changed()

    # --- reading back --------------------------------------------------------------------

    def transfer(self) -> Transfer:
        """The edited transfer (opt-ins kept only for DI → Salesforce)."""
        t = self.original
        salesforce = t.salesforce
        if t.csv is None and self.object_picker.value:
            same = salesforce is not None and salesforce.object == self.object_picker.value
            salesforce = SalesforceSide(
                self.object_picker.value, salesforce.where if same and salesforce else None
            )
        fields = [r.pair() for r in self.field_rows if any(r.names.values())]
        optins = [r.pair() for r in self.optin_rows if any(r.names.values())]
        return dataclasses.replace(
            t,
            name=self.name_text.value.strip() or t.name,
            direction=self.direction.value,
            project=self.project_picker.value,
            salesforce=salesforce,
            dialoginsight=DiSide(self.table_picker.value)
            if self.table_picker.value
            else t.dialoginsight,
            key=self.key_row.pair(),
            fields=(*fields, *self.constants),
            optins=tuple(optins) if self.direction.value == "di_to_sf" else (),
            operations=frozenset(op for op, box in self.operation_boxes.items() if box.value),
            nulls=self.nulls.value,
        )

    def show(self, findings: Sequence[Finding]) -> None:
        """Badges and hints per row; findings no row names go under the form."""
        rows = [self.key_row, *self.field_rows, *self.optin_rows]
        for row in rows:
            row.show(findings)
        claimed = {id(f) for row in rows for f in row.findings}
        rest = [f for f in findings if id(f) not in claimed]
        self.form_hint.value = "".join(f"<div>{html.escape(str(f))}</div>" for f in rest)

    @property
    def rows(self) -> list[PairRow]:
        """Every row: key, fields, opt-ins."""
        return [self.key_row, *self.field_rows, *self.optin_rows]


__all__ = ["DIRECTION_LABELS", "TransferForm"]
