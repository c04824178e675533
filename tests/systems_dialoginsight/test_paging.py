"""A 10,000-contact project read whole: pages of 1,000 by idContact, calls counted."""

from __future__ import annotations

import pandas as pd

from ditoolkit.systems.dialoginsight import DialogInsightSystem

from .conftest import Admin, calls_by_method


def test_ten_thousand_contacts_in_twenty_merges_and_eleven_gets(
    di_system: DialogInsightSystem, di_admin: Admin
) -> None:
    n = 10_000
    frame = pd.DataFrame(
        {
            "f_EMail": [f"c{i:05d}@example.com" for i in range(n)],
            "f_FirstName": [f"N{i}" for i in range(n)],
            "optin_Newsletter": pd.array(
                [(True, False, None)[i % 3] for i in range(n)], dtype="boolean"
            ),
        }
    )
    written = di_system.write("Contact", frame, operation="upsert", project=1002)
    assert written.ok and written.api_calls == n // 500
    before = calls_by_method(di_admin).get("contacts.get", 0)
    back = di_system.read("Contact", project=1002)
    assert (
        calls_by_method(di_admin)["contacts.get"] - before == 11
    )  # 10 full pages, then an empty one
    assert len(back) == n and back["idContact"].is_unique
    ids = back["idContact"].astype(int)
    assert ids.is_monotonic_increasing
    assert sorted(back["f_EMail"]) == sorted(frame["f_EMail"])
    merged = back.merge(frame, on="f_EMail", suffixes=("", "_sent"))
    assert merged["f_FirstName"].equals(merged["f_FirstName_sent"].astype("string"))
    optins = (
        merged["optin_Newsletter"].astype(object).where(merged["optin_Newsletter"].notna(), None)
    )
    sent = (
        merged["optin_Newsletter_sent"]
        .astype(object)
        .where(merged["optin_Newsletter_sent"].notna(), None)
    )
    assert optins.tolist() == sent.tolist()
