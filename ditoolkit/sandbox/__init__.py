"""Local, faithful emulators of the Salesforce REST/Bulk API and the Dialog Insight OFC4 API.

The sandboxes import nothing from :mod:`ditoolkit.systems` (and the clients nothing from here):
two independent implementations of each wire protocol, so that a misunderstanding of the wire
format cannot hide by being shared on both sides.
"""
