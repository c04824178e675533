"""The mapping editor: one transfer at a time, key first, checked against both live schemas.

DI guide steps 4.1–4.5 in one panel: the Salesforce object (or CSV file) and the DI project
and table, the direction, the key pair first, field pairs from dropdowns of both schemas with
a compatibility badge (ok / warning / blocking) and a fix hint per row, opt-ins (offered for
DI → Salesforce only), the allowed operations (delete off unless chosen), and *Save*, which
writes the mapping with :meth:`~ditoolkit.core.mapping.Mapping.to_yaml`.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import ipywidgets as widgets

from ditoolkit.core.compatibility import findings_frame, validate_mapping
from ditoolkit.core.findings import Finding, MappingFileError
from ditoolkit.core.mapping import DiSide, FieldPair, Mapping, SalesforceSide, Transfer
from ditoolkit.errors import DitoolkitError
from ditoolkit.ui.html import frame_html, status_html
from ditoolkit.ui.mapping_form import TransferForm
from ditoolkit.ui.schemas import LiveSchemas

NEW_TRANSFER = "(new transfer)"


def blank_transfer(name: str = "new_transfer", *, project: int | None = None) -> Transfer:
    """A transfer to start from: Salesforce → DI contacts, insert and update, no pairs yet."""
    return Transfer(
        name=name,
        direction="sf_to_di",
        key=FieldPair(),
        project=project,
        salesforce=SalesforceSide("Contact"),
        dialoginsight=DiSide("Contact"),
    )


class MappingEditor:
    """Edit a mapping's transfers with widgets; validate and save it.

    Args:
        schemas: the live schemas of both systems.
        mapping: the mapping to edit (default: an empty one with a blank transfer).
        path: where *Save* writes (default: the file the mapping was loaded from).

    Attributes:
        mapping: the mapping with every edit applied so far.
        form: the :class:`~ditoolkit.ui.mapping_form.TransferForm` of the shown transfer.
        findings: the last validation's findings (every transfer).
        widget: the panel to display.
    """

    def __init__(
        self,
        schemas: LiveSchemas,
        mapping: Mapping | None = None,
        *,
        path: str | Path | None = None,
    ) -> None:
        self.schemas = schemas
        if mapping is None:
            projects = schemas.projects()["idProject"]
            first = int(projects.iloc[0]) if len(projects) else None
            mapping = Mapping(1, first, (blank_transfer(project=first),))
        self.mapping = mapping
        self.findings: list[Finding] = []
        default_path = path or mapping.source or "mappings/new.yml"
        self.transfer_picker = widgets.Dropdown(
            options=[*mapping.names, NEW_TRANSFER], value=mapping.names[0], description="Transfer"
        )
        self.path_text = widgets.Text(value=str(default_path), description="File")
        self.validate_button = widgets.Button(description="Validate", icon="check")
        self.save_button = widgets.Button(description="Save", button_style="primary", icon="save")
        self.status = widgets.HTML()
        self.findings_view = widgets.HTML()
        self.form_box = widgets.VBox()
        self.form = self._form_for(mapping.transfers[0])
        self.transfer_picker.observe(self._on_pick, names="value")
        self.validate_button.on_click(lambda _b: self.validate())
        self.save_button.on_click(lambda _b: self.save())
        self.widget = widgets.VBox(
            [
                self.transfer_picker,
                self.form_box,
                widgets.HBox([self.validate_button, self.path_text, self.save_button]),
                self.status,
                widgets.HTML("<b>Findings</b>"),
                self.findings_view,
            ]
        )
        self.validate()

    @classmethod
    def open(cls, path: str | Path, *, profile: str | None) -> MappingEditor:
        """An editor of the mapping file ``path``, its dropdowns filled from ``profile``'s systems.

        Raises:
            DitoolkitError: a side did not connect (both named), or the file is malformed.
        """
        from ditoolkit.ui.survey import connect_both

        check = connect_both(profile)
        check.raise_for_errors()
        return cls(check.schemas(), Mapping.load(path), path=path)

    def _form_for(self, transfer: Transfer) -> TransferForm:
        form = TransferForm(
            transfer,
            schemas=self.schemas,
            default_project=self.mapping.project,
            on_change=self._on_form_change,
        )
        self.form_box.children = [form.widget]
        return form

    def _on_form_change(self) -> None:
        self.validate()

    def _on_pick(self, change: dict[str, object]) -> None:
        self.commit()
        name = str(change["new"])
        if name == NEW_TRANSFER:
            name = self._free_name()
            self.mapping = dataclasses.replace(
                self.mapping,
                transfers=(
                    *self.mapping.transfers,
                    blank_transfer(name, project=self.mapping.project),
                ),
            )
            self.transfer_picker.options = [*self.mapping.names, NEW_TRANSFER]
            self.transfer_picker.value = name
            return
        self.form = self._form_for(self.mapping.transfer(name))
        self.validate()

    def _free_name(self) -> str:
        taken = set(self.mapping.names)
        number = 1
        while f"new_transfer_{number}" in taken:
            number += 1
        return f"new_transfer_{number}"

    def select(self, name: str) -> None:
        """Show the transfer called ``name`` (edits of the shown one are kept)."""
        self.transfer_picker.value = name

    def commit(self) -> Mapping:
        """Put the shown transfer's edits into :attr:`mapping` and return it."""
        edited = self.form.transfer()
        old_name = self.form.original.name
        transfers = tuple(edited if t.name == old_name else t for t in self.mapping.transfers)
        self.mapping = dataclasses.replace(self.mapping, transfers=transfers)
        if edited.name != old_name:
            picker = self.transfer_picker
            picker.unobserve(self._on_pick, names="value")
            picker.options = [*self.mapping.names, NEW_TRANSFER]
            picker.value = edited.name
            picker.observe(self._on_pick, names="value")
            self.form.original = edited
        return self.mapping

    def to_yaml(self) -> str:
        """The edited mapping as YAML (:meth:`Mapping.to_yaml`)."""
        return self.commit().to_yaml()

    def checked_mapping(self) -> Mapping:
        """The edited mapping, re-read from its YAML so its shape is checked as a file's is.

        Raises:
            MappingFileError: the edited mapping is malformed (missing key pair, ...).
        """
        source = Path(self.path_text.value) if self.path_text.value else self.mapping.source
        return Mapping.from_yaml(self.to_yaml(), source=source)

    def validate(self) -> list[Finding]:
        """Check the edited mapping's shape and every transfer against both live schemas."""
        try:
            mapping = self.checked_mapping()
            findings = validate_mapping(mapping, self.schemas.catalog_for(mapping))
        except MappingFileError as exc:
            findings = list(exc.findings)
        self.findings = findings
        shown = [f for f in findings if f.transfer in (self.form.original.name, None)]
        self.form.show(shown)
        self.findings_view.value = frame_html(
            findings_frame(findings).drop(columns=["row", "value"]), empty="no findings"
        )
        blocking = sum(1 for f in findings if f.blocking)
        warnings = len(findings) - blocking
        kind = "error" if blocking else ("warning" if warnings else "ok")
        self.status.value = status_html(
            f"{blocking} blocking, {warnings} warning(s) in {len(self.mapping.transfers)} "
            "transfer(s)",
            kind=kind,
        )
        return findings

    def save(self, path: str | Path | None = None) -> Path | None:
        """Write the edited mapping's YAML to ``path`` (default: the *File* box).

        Returns:
            The file written, or ``None`` when the mapping is malformed (shown in the panel).
        """
        target = Path(path) if path is not None else Path(self.path_text.value)
        findings = self.validate()
        try:
            text = self.checked_mapping().to_yaml()
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        except (DitoolkitError, OSError) as exc:
            self.status.value = status_html(f"not saved: {exc}", kind="error")
            return None
        blocking = sum(1 for f in findings if f.blocking)
        note = f" ({blocking} blocking finding(s) to fix before a run)" if blocking else ""
        self.status.value = status_html(f"saved {target}{note}", kind="error" if blocking else "ok")
        return target

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)
