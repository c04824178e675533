"""The run panel: dry run or apply, progress, per-row results, verify, undo with confirmation.

DI guide step 4.5 (*activate*) and step 4 (*synchronize*): the apply button sends the plan
made afresh from both sides (refused if the target changed since), the progress bar follows
the batches, the table lists every row's outcome, and the re-read says whether each row holds
what was sent. *Undo* first shows what it would restore; nothing is undone until **Confirm
undo** is pressed.
"""

from __future__ import annotations

import html
from pathlib import Path

import ipywidgets as widgets

from ditoolkit.core.run_result import RunResult
from ditoolkit.errors import DitoolkitError
from ditoolkit.ui.apply_runs import SyncRun, apply_for_notebook, undo_preview, undo_sync
from ditoolkit.ui.html import frame_html, status_html
from ditoolkit.ui.survey import describe_error

HIDDEN = "none"
SHOWN = "inline-flex"
RESULT_VIEW_COLUMNS = ["transfer", "side", "key", "operation", "status", "id", "error_code"]


class RunPanel:
    """Apply one transfer (or every one) of a mapping, and undo it.

    Args:
        mapping: the mapping file.
        profile: the connection profile.
        transfer: the transfer's name (None: every transfer).
        dry_run: the dry-run toggle's starting value.
        output_dir: where the run files go.
        notebook: the name written in summary.json.

    Attributes:
        dry_run: the dry-run toggle.
        apply_button: runs the transfer (a dry run while the toggle is on).
        progress: rows done of the run's rows.
        status: what happened last, or the error.
        results_view: one row per row written.
        verify_view: the verify outcome.
        undo_button: asks to undo the last run (shows what it would restore).
        confirm_button / cancel_button: appear after *Undo*; only *Confirm undo* undoes.
        run: the last :class:`SyncRun`; undone: the undo runs of it.
        widget: the panel to display.
    """

    def __init__(
        self,
        mapping: str | Path,
        *,
        profile: str | None,
        transfer: str | None,
        dry_run: bool = True,
        output_dir: str | Path = "runs/04_sync",
        notebook: str = "04_sync",
    ) -> None:
        self.mapping = mapping
        self.profile = profile
        self.transfer = transfer
        self.output_dir = Path(output_dir)
        self.notebook = notebook
        self.run: SyncRun | None = None
        self.undone: list[RunResult] = []
        self.dry_run = widgets.Checkbox(value=dry_run, description="Dry run (write nothing)")
        self.apply_button = widgets.Button(icon="play")
        self.progress = widgets.IntProgress(value=0, min=0, max=1, description="Rows")
        self.status = widgets.HTML()
        self.results_view = widgets.HTML()
        self.verify_view = widgets.HTML()
        self.undo_button = widgets.Button(description="Undo this run", icon="undo", disabled=True)
        self.confirm_button = widgets.Button(description="Confirm undo", button_style="danger")
        self.cancel_button = widgets.Button(description="Cancel")
        self.undo_view = widgets.HTML()
        self._show_confirmation(False)
        self._label_apply()
        self.dry_run.observe(lambda _c: self._label_apply(), names="value")
        self.apply_button.on_click(lambda _b: self.apply())
        self.undo_button.on_click(lambda _b: self.ask_undo())
        self.confirm_button.on_click(lambda _b: self.confirm_undo())
        self.cancel_button.on_click(lambda _b: self.cancel_undo())
        self.widget = self._layout()

    def _layout(self) -> widgets.VBox:
        target = html.escape(self.transfer or "every transfer")
        name = html.escape(Path(self.mapping).name)
        return widgets.VBox(
            [
                widgets.HTML(f"<b>Run</b> {target} of <code>{name}</code>"),
                widgets.HBox([self.dry_run, self.apply_button]),
                self.progress,
                self.status,
                self.verify_view,
                self.results_view,
                widgets.HBox([self.undo_button, self.confirm_button, self.cancel_button]),
                self.undo_view,
            ]
        )

    def _label_apply(self) -> None:
        dry = self.dry_run.value
        self.apply_button.description = "Dry run" if dry else "Apply"
        self.apply_button.button_style = "info" if dry else "warning"

    def _show_confirmation(self, shown: bool) -> None:
        self.confirm_button.layout.display = SHOWN if shown else HIDDEN
        self.cancel_button.layout.display = SHOWN if shown else HIDDEN

    def _on_batch(self, done: int, total: int) -> None:
        self.progress.max = max(total, 1)
        self.progress.value = done

    def apply(self) -> SyncRun | None:
        """Run the transfer (dry or not); show progress, results and the verify outcome."""
        self.apply_button.disabled = True
        self.undo_button.disabled = True
        self._show_confirmation(False)
        self.progress.value = 0
        self.status.value = status_html("previewing and applying…")
        try:
            self.run = apply_for_notebook(
                self.mapping,
                self.profile,
                transfer=self.transfer,
                dry_run=bool(self.dry_run.value),
                output_dir=self.output_dir,
                notebook=self.notebook,
                progress=self._on_batch,
            )
        except DitoolkitError as exc:
            self.status.value = status_html(describe_error(exc), kind="error")
            return None
        finally:
            self.apply_button.disabled = False
        self._show_run(self.run)
        return self.run

    def _show_run(self, run: SyncRun) -> None:
        counts = run.counts()
        stopped = [r for r in run.runs if r.result.status == "interrupted"]
        text = f"run {', '.join(run.run_ids)}: " + ", ".join(
            f"{k} {v}" for k, v in counts.items() if v
        )
        kind = "error" if stopped or counts["failed"] else "ok"
        if stopped:
            text += f" — stopped: {stopped[0].result.error}"
        self.status.value = status_html(text or "nothing to do", kind=kind)
        results = run.results()
        shown = results[[c for c in RESULT_VIEW_COLUMNS if c in results.columns]]
        self.results_view.value = frame_html(shown, empty="no rows written")
        verify_kind = "error" if len(run.verify_mismatches()) else "ok"
        self.verify_view.value = status_html(run.verify_text(), kind=verify_kind)
        if self.progress.max <= 1 and not len(results):
            self.progress.max, self.progress.value = 1, 1
        self.undo_button.disabled = not run.undoable()
        self.undo_view.value = ""

    def ask_undo(self) -> None:
        """Show what undoing the last run would restore, and the *Confirm undo* button."""
        if self.run is None or not self.run.undoable():
            self.undo_view.value = status_html("nothing to undo", kind="warning")
            return
        try:
            changes = undo_preview(self.run)
        except DitoolkitError as exc:
            self.undo_view.value = status_html(describe_error(exc), kind="error")
            return
        head = status_html(
            f"Undo would make {len(changes)} row change(s); press Confirm undo to do it.",
            kind="warning",
        )
        self.undo_view.value = head + frame_html(changes)
        self._show_confirmation(True)

    def cancel_undo(self) -> None:
        """Hide the confirmation; nothing is undone."""
        self._show_confirmation(False)
        self.undo_view.value = status_html("undo cancelled: nothing was changed")

    def confirm_undo(self) -> list[RunResult]:
        """Undo the last run (only after :meth:`ask_undo`)."""
        if self.run is None or self.confirm_button.layout.display != SHOWN:
            self.undo_view.value = status_html("press Undo first", kind="warning")
            return []
        self._show_confirmation(False)
        try:
            done = undo_sync(self.run, self.profile)
        except DitoolkitError as exc:
            self.undo_view.value = status_html(describe_error(exc), kind="error")
            return []
        self.undone.extend(done)
        parts = [
            f"run {r.run_id} {r.status}: "
            + ", ".join(f"{k} {v}" for k, v in sorted(r.counts().items()))
            for r in done
        ]
        kind = "ok" if all(r.ok for r in done) else "error"
        self.undo_view.value = status_html("undone — " + "; ".join(parts), kind=kind)
        self.undo_button.disabled = True
        return done

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)
