"""Write the five notebooks from this file, clean (no outputs, no execution counts).

Run ``python notebooks/build_notebooks.py`` after changing a notebook's text or cells here;
the notebooks are reviewed as this file, and a test checks that what is committed matches.
Each notebook has one cell tagged ``parameters`` (literals only) for papermill; unattended
runs pass ``-p interactive False`` and the parameters drive; opened in JupyterLab, the
widgets drive.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent
KERNEL = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}

UNATTENDED = """\
**Unattended**: `papermill {name}.ipynb out.ipynb -p interactive False -p output_dir runs/{name}`
runs it with the parameters below and writes `output_dir/summary.json` (and `plan.csv`,
`results.csv`, `errors.csv`); a failed run stops with the reason."""


DEMO_MAPPING = "../mappings/demo.yml"
SHOW_PREVIEWS = """\
for item in {previews}.previews:
    if interactive:
        display(PreviewPanel(item.preview))
    else:
        print(render_text(item.preview.report_data()))"""


def _parameters(name: str, **values: object) -> nbformat.NotebookNode:
    """The cell tagged ``parameters``: the profile, ``values``, the output folder, interactive."""
    values = {"profile": "sandbox", **values, "output_dir": f"runs/{name}", "interactive": True}
    cell = new_code_cell("\n".join(f"{key} = {value!r}" for key, value in values.items()))
    cell.metadata["tags"] = ["parameters"]
    return cell


def _imports(*lines: str) -> nbformat.NotebookNode:
    """The imports cell: ``display``, then ``lines``."""
    return new_code_cell("from IPython.display import display\n\n" + "\n".join(lines))


def _preview_cell(notebook: str) -> nbformat.NotebookNode:
    """Preview the transfer beside the run files and show each preview."""
    return new_code_cell(
        "preview = run_preview(\n"
        '    mapping, profile, transfer=transfer, output_dir=f"{output_dir}/preview", '
        f'notebook="{notebook}"\n'
        ")\n" + SHOW_PREVIEWS.format(previews="preview")
    )


def _unattended_run(function: str) -> str:
    """The call of ``function`` that an unattended run makes, assigned to ``run``."""
    return (
        f"    run = {function}(\n"
        "        mapping,\n"
        "        profile,\n"
        "        transfer=transfer,\n"
        "        dry_run=dry_run,\n"
        "        output_dir=output_dir,\n"
        "        fail_on_rows=fail_on_rows,\n"
        "    )\n"
    )


def connect() -> list[nbformat.NotebookNode]:
    return [
        new_markdown_cell(
            "# 1. Connect to Salesforce and Dialog Insight\n\n"
            "This is the *external connection and authorization* of DI's guide (step 1) and its "
            "*destination projects* (step 3). Pick a profile and press **Test**: both sides "
            "answer with the Salesforce org, its objects and how many rows they hold, and "
            "every Dialog Insight project this key reaches, with its type (A: fed from "
            "Salesforce, B: contacts acquired in DI) and its primary key.\n\n"
            "Passwords, tokens and keys are never typed here: they come from the environment, "
            '`ditoolkit.toml` (or the keyring), or the local sandbox (`profile = "sandbox"`). '
            "There is no plugin to install (guide step 2): the toolkit talks to both APIs.\n\n"
            + UNATTENDED.format(name="01_connect")
        ),
        _parameters("01_connect"),
        _imports(
            "from ditoolkit.ui.connection import ConnectionPanel",
            "from ditoolkit.ui.notebook_runs import run_connect",
        ),
        new_markdown_cell("What each side holds (the same answer the **Test** button gives):"),
        new_code_cell(
            "holdings = run_connect(profile, output_dir=output_dir)\n"
            'print(f"Salesforce org {holdings.organization!r} at {holdings.instance}")\n'
            "display(holdings.objects, holdings.projects, holdings.tables)"
        ),
        new_markdown_cell("Try another profile here:"),
        new_code_cell("if interactive:\n    display(ConnectionPanel(profile))"),
    ]


def mapping() -> list[nbformat.NotebookNode]:
    return [
        new_markdown_cell(
            "# 2. Map the fields\n\n"
            "One *data transfer* per Salesforce object and DI table (guide 4.1–4.2): choose the "
            "object, the DI project and table (`Contact` for the project's contacts, or a "
            "relational table's code), and the direction. Map the **primary key first** (guide "
            "4.4), then the fields, each from a dropdown of both live schemas. Each row shows a "
            "badge — *ok*, *warning* (values are converted or checked row by row; those that do "
            "not fit are held back) or *blocking* — with the fix.\n\n"
            "Opt-ins go from DI to Salesforce only (guide 4.3), so they are offered only for "
            "*DI → Salesforce* transfers. The operations are the guide's data-integration "
            "triggers (4.5): *insert* and *update* are on, *delete* only when you tick it. "
            "**Save** writes the mapping file (YAML, reviewable in git). A type A project "
            "never creates Salesforce records; two transfers feeding one table are flagged.\n\n"
            + UNATTENDED.format(name="02_mapping")
        ),
        _parameters("02_mapping", mapping=DEMO_MAPPING),
        _imports(
            "from ditoolkit.core.findings import findings_frame",
            "from ditoolkit.ui.mapping_editor import MappingEditor",
            "from ditoolkit.ui.notebook_runs import run_mapping_check",
        ),
        new_markdown_cell("The mapping checked against both live schemas:"),
        new_code_cell(
            "check = run_mapping_check(mapping, profile, output_dir=output_dir, "
            "refuse=not interactive)\n"
            "display(findings_frame(check.findings))"
        ),
        new_markdown_cell("Edit it (key first), then **Validate** and **Save**:"),
        new_code_cell("if interactive:\n    display(MappingEditor.open(mapping, profile=profile))"),
    ]


def preview() -> list[nbformat.NotebookNode]:
    return [
        new_markdown_cell(
            "# 3. Preview: data quality and what would change\n\n"
            "Before anything is sent (this step is not in DI's guide): each transfer reads "
            "both sides, checks every source row (invalid emails, duplicate or missing keys, "
            "values too long, required fields empty…) and compares it with the target. Rows "
            "with a blocking finding are **held back** whole, never half-sent. The tabs show "
            "the rows to insert, the updates field by field (before → after), the deletes "
            "(only when the transfer allows them) and the conflicts; the chart shows which "
            "fields change most. **Nothing is written.**\n\n"
            "`transfer = None` previews every transfer of the mapping.\n\n"
            + UNATTENDED.format(name="03_preview")
        ),
        _parameters("03_preview", mapping=DEMO_MAPPING, transfer=None),
        _imports(
            "from ditoolkit.core.report import render_text",
            "from ditoolkit.ui.diff_preview import PreviewPanel",
            "from ditoolkit.ui.notebook_runs import run_preview",
        ),
        new_code_cell(
            "run = run_preview(mapping, profile, transfer=transfer, output_dir=output_dir)\n"
            "run.counts()"
        ),
        new_markdown_cell("Each transfer, direction by direction:"),
        new_code_cell(SHOW_PREVIEWS.format(previews="run")),
    ]


def sync() -> list[nbformat.NotebookNode]:
    return [
        new_markdown_cell(
            "# 4. Synchronize: apply a transfer, verify, undo\n\n"
            "DI's guide step 4 (*synchronize*) and the *activate* of its data-integration "
            "triggers (4.5). The transfer is previewed again from both sides, then applied: "
            "the plan is refused if the target changed since the preview, rows go in batches "
            "with a progress bar, transient errors are retried, and every row's outcome and "
            "before-image is written to the journal. After the writes each row is **re-read** "
            "to verify it holds what was sent. A run can be **undone** from its journal: the "
            "rows it created are deleted, the rows it updated get their old values back.\n\n"
            "With `dry_run = True` everything happens except the writes. Held-back rows "
            "(quality findings) are never sent; they are listed in `errors.csv`. "
            "`fail_on_rows = True` makes a run with held-back or failed rows fail (for "
            "schedules that must stop on them).\n\n" + UNATTENDED.format(name="04_sync")
        ),
        _parameters(
            "04_sync",
            mapping=DEMO_MAPPING,
            transfer="acquisition_to_leads",
            dry_run=True,
            fail_on_rows=False,
        ),
        _imports(
            "from ditoolkit.core.report import render_text",
            "from ditoolkit.ui.diff_preview import PreviewPanel",
            "from ditoolkit.ui.notebook_runs import run_preview, run_sync",
            "from ditoolkit.ui.run_panel import RunPanel",
        ),
        new_markdown_cell("What the transfer would change now (nothing is written here):"),
        _preview_cell("04_sync"),
        new_markdown_cell(
            "Apply it. Interactively: untick *Dry run*, press **Apply**, read the results and "
            "the verify line; **Undo this run** shows what it would restore and waits for "
            "**Confirm undo**. Unattended, the parameters decide and the run files are written."
        ),
        new_code_cell(
            "if interactive:\n"
            "    panel = RunPanel(\n"
            "        mapping, profile=profile, transfer=transfer, dry_run=dry_run, "
            "output_dir=output_dir\n"
            "    )\n"
            "    display(panel)\n"
            "else:\n"
            + _unattended_run("run_sync")
            + (
                '    print("runs:", ", ".join(run.run_ids))\n'
                "    print(run.counts())\n"
                "    print(run.verify_text())\n"
                "    print(run.undo_hint())\n"
                "    display(run.results().head(20), run.errors())"
            )
        ),
    ]


def csv_load() -> list[nbformat.NotebookNode]:
    return [
        new_markdown_cell(
            "# 5. First load from a CSV file\n\n"
            "DI's guide step 5: the first manual import. A CSV file is just another source: "
            "the transfer's `csv:` block names the file (its delimiter and encoding, or "
            "`auto`), and the same mapping, quality checks, preview and apply run on it. The "
            "file is read strictly — encoding (BOM, UTF-8, Windows-1252), delimiter, quotes, "
            "ragged rows — and a malformed file is refused with its line and the fix. Rows "
            "with a finding (invalid email, duplicate or missing key, too long) are held "
            "back, never half-sent.\n\n"
            "As Salesforce's Data Loader does, the load returns two files beside the run "
            "files: `<file>.success.csv` (every row loaded or unchanged, with its id and "
            "status) and `<file>.error.csv` (every row not loaded, with its error).\n\n"
            + UNATTENDED.format(name="05_csv_load")
        ),
        _parameters(
            "05_csv_load",
            mapping=DEMO_MAPPING,
            transfer="tradeshow_csv_to_di",
            dry_run=False,
            fail_on_rows=False,
        ),
        _imports(
            "from ditoolkit.core.report import render_text",
            "from ditoolkit.ui.diff_preview import PreviewPanel",
            "from ditoolkit.ui.notebook_runs import (\n"
            "    csv_result_files,\n"
            "    read_csv_source,\n"
            "    run_csv_load,\n"
            "    run_preview,\n"
            ")",
            "from ditoolkit.ui.run_panel import RunPanel",
        ),
        new_markdown_cell("The file, as the load reads it:"),
        new_code_cell(
            "source = read_csv_source(mapping, transfer)\n"
            "print(source.describe())\n"
            "display(source.frame.head())"
        ),
        new_markdown_cell("Checked and previewed against the target (nothing is written here):"),
        _preview_cell("05_csv_load"),
        new_markdown_cell(
            "Load it. Interactively: press **Apply** (untick *Dry run* first), then read the "
            "results; the success and error files are written to `output_dir`."
        ),
        new_code_cell(
            "if interactive:\n"
            "    panel = RunPanel(\n"
            "        mapping,\n"
            "        profile=profile,\n"
            "        transfer=transfer,\n"
            "        dry_run=True,\n"
            "        output_dir=output_dir,\n"
            '        notebook="05_csv_load",\n'
            "    )\n"
            "    display(panel)\n"
            "else:\n"
            + _unattended_run("run_csv_load")
            + (
                "    print(run.counts())\n"
                "    print(run.verify_text())\n"
                "    for kind, path in csv_result_files(run).items():\n"
                '        print(f"{kind} file: {path}")\n'
                "    display(run.errors())"
            )
        ),
    ]


NOTEBOOKS = {
    "01_connect": connect,
    "02_mapping": mapping,
    "03_preview": preview,
    "04_sync": sync,
    "05_csv_load": csv_load,
}


def build(name: str) -> nbformat.NotebookNode:
    """The notebook ``name``, clean, with stable cell ids."""
    notebook = new_notebook(cells=NOTEBOOKS[name](), metadata={"kernelspec": KERNEL})
    for number, cell in enumerate(notebook.cells):
        cell["id"] = f"{name}-{number:02d}"
    return notebook


def main() -> None:
    for name in NOTEBOOKS:
        nbformat.write(build(name), HERE / f"{name}.ipynb")


if __name__ == "__main__":
    main()
