"""Where the public record of Dialog Insight's OFC4 web services is silent: our assumptions.

This is the one place that holds them (``dialog-insight-api.md`` §4). Each is a named constant,
and the ones a real account may contradict are also settings of :class:`DialogInsightClient` or
:class:`DialogInsightSystem`. ``docs/dialog-insight.md`` explains what changes if the real
service differs.
"""

from __future__ import annotations

from types import MappingProxyType

from ditoolkit.port import FieldType

#: Base URLs per region (§1.1). The Canadian one is inferred from the French pattern.
REGION_URLS = MappingProxyType(
    {
        "canada": "https://app.dialoginsight.com/webservices/ofc4/",
        "france": "https://app.mydialoginsight.com/webservices/ofc4/",
    }
)

#: Other names of the regions (the configuration layer says ``ca`` / ``fr``).
REGION_ALIASES = MappingProxyType({"ca": "canada", "fr": "france"})

#: Services as they appear in the URL path (lowercase, as most public clients send them).
SERVICES = MappingProxyType(
    {
        "Projects": "projects",
        "Contacts": "contacts",
        "RelationalTables": "relationaltables",
    }
)

# --- call failures (§4 "HTTP status of failures", "error codes") ---------------------------

#: Error codes that mean the key was refused: AuthError.
AUTH_CODES = frozenset({"InvalidAuthKey", "ExpiredAuthKey", "IpNotAllowed", "PermissionDenied"})
#: Error codes that mean the project or table does not exist: NotFoundError.
NOT_FOUND_CODES = frozenset({"ProjectNotFound", "TableNotFound"})
#: Error codes worth retrying after a pause: RetriableError once retries are spent.
RETRIABLE_CODES = frozenset({"Throttled"})
#: Codes that, still answered after every attempt, are taken for a spent call allowance
#: (AllowanceError: the run stops and resumes later). DI publishes no allowance (§4).
ALLOWANCE_CODES = frozenset({"Throttled"})
#: HTTP statuses worth retrying (any 5xx is retried too).
RETRIABLE_STATUSES = frozenset({408, 429})

# --- paging and batching (§4 "reading a whole table", "Merge batch size") ------------------

#: The largest ``MaxRows`` a ``Get`` honours; a shorter page ends a paged read.
MAX_ROWS_PER_GET = 1000
#: The largest number of records one ``Merge`` accepts (more → ``TooManyRecords``).
MAX_RECORDS_PER_MERGE = 1000
#: Records sent per ``Merge`` (and keys per ``Delete``) unless configured otherwise.
DEFAULT_BATCH_SIZE = 500
#: The contact id: the paging key of the contacts table and the link of relational tables.
CONTACT_ID = "idContact"

# --- Merge responses (§4 "Merge Status values", "relational Merge response") --------------

#: ``Records[i].Status`` values we know; any other is kept in the row's message.
MERGE_STATUSES = ("Created", "Updated", "Unchanged", "Skipped", "Error")
#: ``Records[i].ValidationResult`` of a record that passed.
VALIDATION_OK = "OK"
#: The default MergeOptions (the seven keys public clients send).
DEFAULT_MERGE_OPTIONS = MappingProxyType(
    {
        "AllowInsert": True,
        "AllowUpdate": True,
        "SkipDuplicateRecords": False,
        "SkipUnmatchedRecords": False,
        "ReturnRecordsOnSuccess": False,
        "ReturnRecordsOnError": False,
        "FieldOptions": None,
    }
)

# --- values on the wire (§4 "date formats", "booleans / opt-ins", "how Get returns rows") --

#: Dates and datetimes as the client sends them.
DATE_FORMAT = "%Y.%m.%d"
DATETIME_FORMAT = "%Y.%m.%d %H:%M:%S"
#: Booleans and opt-ins as the client sends them.
TRUE_VALUE = "1"
FALSE_VALUE = "0"
#: What the client sends to clear a field when the caller asks to clear nulls. Opt-ins are
#: never cleared: DI cannot put an opt-in back to "never set".
CLEAR_VALUE = ""
#: The time zone of DI datetimes, which carry none on the wire.
DATETIME_TIMEZONE = "UTC"

# --- schema (§4 "field types in Projects.Get", "relational tables' schema") ----------------

#: ``ProjectFields[].DataType`` → normalized type; an unknown or missing type reads as string.
DATA_TYPES = MappingProxyType(
    {
        "shorttext": FieldType.STRING,
        "longtext": FieldType.TEXT,
        "text": FieldType.STRING,
        "email": FieldType.EMAIL,
        "phone": FieldType.PHONE,
        "integer": FieldType.INTEGER,
        "int": FieldType.INTEGER,
        "decimal": FieldType.DECIMAL,
        "boolean": FieldType.BOOLEAN,
        "date": FieldType.DATE,
        "datetime": FieldType.DATETIME,
        "url": FieldType.URL,
    }
)
#: Contact field, opt-in and project key prefixes (§3).
FIELD_PREFIX = "f_"
OPTIN_PREFIX = "optin_"
KEY_PREFIX = "key_"

# --- transport ------------------------------------------------------------------------------

#: Seconds to wait for an answer (public clients use 30–70 s).
DEFAULT_TIMEOUT = 60.0
#: The largest answer read, in MiB (a 1,000-record page of a wide table is a few MiB).
DEFAULT_MAX_RESPONSE_MB = 64.0
#: Attempts per call, waits between them (seconds, exponential with jitter).
DEFAULT_ATTEMPTS = 5
DEFAULT_RETRY_WAIT = 0.5
DEFAULT_RETRY_MAX_WAIT = 10.0
