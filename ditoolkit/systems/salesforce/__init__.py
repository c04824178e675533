"""The Salesforce adapter: simple-salesforce, unchanged, behind the System port."""

from ditoolkit.systems.salesforce.connection import AUTH_FLOWS, build_session, login
from ditoolkit.systems.salesforce.reader import ReadSettings
from ditoolkit.systems.salesforce.system import SalesforceSystem
from ditoolkit.systems.salesforce.writer import WriteSettings

__all__ = [
    "AUTH_FLOWS",
    "ReadSettings",
    "SalesforceSystem",
    "WriteSettings",
    "build_session",
    "login",
]
