"""A Salesforce write stopped by a call-level failure raises, keeping the rows done, so that
the apply engine leaves the unsent rows resumable instead of recording them as failed."""

from __future__ import annotations

import pandas as pd
import pytest
from reliability_rig import Rig

from ditoolkit.api import connect_salesforce
from ditoolkit.errors import AllowanceError


def test_the_allowance_running_out_mid_write_raises_with_the_rows_done(rig: Rig) -> None:
    sf = connect_salesforce(profile="sandbox")
    sf.describe("Contact")  # the allowance guard reads the header of this call
    frame = pd.DataFrame(
        {
            "LastName": [f"Stop{i}" for i in range(500)],
            "Email": [f"s{i}@example.com" for i in range(500)],
        }
    )
    rig.sf_admin.faults(daily_limit=rig.sf_admin.calls() + 1)  # one collection call, no more
    with pytest.raises(AllowanceError) as raised:
        sf.write("Contact", frame, operation="insert")
    done = raised.value.result  # type: ignore[attr-defined]
    assert len(done) == 200 and done.ok  # the first call's rows, reported as created
    assert [r.row for r in done.rows] == list(range(200))
    rig.sf_admin.faults(daily_limit=None)
    assert len(sf.read("Contact", columns=["Id"])) == 200  # the others were never sent
