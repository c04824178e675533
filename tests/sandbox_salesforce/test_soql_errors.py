"""SOQL engine: error codes, positions and messages, worded as Salesforce words them."""

from __future__ import annotations

import pytest
from soql_org import error

NO_COLUMN_TAIL = (
    ". If you are attempting to use a custom field, be sure to append the '__c' after the custom field name."
    " Please reference your WSDL or the describe call for the appropriate names."
)


def caret(soql: str, column: int, reason: str) -> str:
    return f"\n{soql}\n{' ' * (column - 1)}^\nERROR at Row:1:Column:{column}\n{reason}"


EXACT_ERRORS = [
    (
        "SELECT Foo FROM Contact",
        "INVALID_FIELD",
        8,
        "No such column 'Foo' on entity 'Contact'" + NO_COLUMN_TAIL,
    ),
    (
        "SELECT Id, foo__c FROM contact",
        "INVALID_FIELD",
        12,
        "No such column 'foo__c' on entity 'Contact'" + NO_COLUMN_TAIL,
    ),
    (
        "SELECT Account.Foo FROM Contact",
        "INVALID_FIELD",
        8,
        "No such column 'Foo' on entity 'Account'" + NO_COLUMN_TAIL,
    ),
    (
        "SELECT Account FROM Contact",
        "INVALID_FIELD",
        8,
        "No such column 'Account' on entity 'Contact'" + NO_COLUMN_TAIL,
    ),
    (
        "SELECT Id FROM Contact WHERE Bar = 1",
        "INVALID_FIELD",
        30,
        "No such column 'Bar' on entity 'Contact'" + NO_COLUMN_TAIL,
    ),
    (
        "SELECT Id FROM Contact ORDER BY Bar",
        "INVALID_FIELD",
        33,
        "No such column 'Bar' on entity 'Contact'" + NO_COLUMN_TAIL,
    ),
    (
        "SELECT AccountId.Name FROM Contact",
        "INVALID_FIELD",
        8,
        "Didn't understand relationship 'AccountId' in field path. If you are attempting to use a custom relationship,"
        " be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe"
        " call for the appropriate names.",
    ),
    (
        "SELECT Id FROM Foo",
        "INVALID_TYPE",
        16,
        "sObject type 'Foo' is not supported. If you are attempting to use a custom object, be sure to append the"
        " '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.",
    ),
    (
        "SELECT Id FROM Contact WHERE Birthdate = '2020-01-01'",
        "INVALID_FIELD",
        42,
        "value of filter criterion for field 'Birthdate' must be of type date and should not be enclosed in quotes",
    ),
    (
        "SELECT Id FROM Contact OFFSET 2001",
        "NUMBER_OUTSIDE_VALID_RANGE",
        31,
        "Maximum SOQL offset allowed is 2000",
    ),
    ("SELECT Id, FROM Contact", "MALFORMED_QUERY", 12, "unexpected token: 'FROM'"),
    ("SELECT Id FROM Contact WHERE", "MALFORMED_QUERY", 29, "unexpected token: <EOF>"),
    (
        "SELECT Id FROM Contact WHERE Id = 'abc'",
        "INVALID_QUERY_FILTER_OPERATOR",
        35,
        "invalid ID field: abc",
    ),
]


@pytest.mark.parametrize(
    ("soql", "code", "column", "reason"), EXACT_ERRORS, ids=[e[0] for e in EXACT_ERRORS]
)
def test_error_codes_and_messages_are_worded_as_salesforce(
    soql: str, code: str, column: int, reason: str
) -> None:
    failure = error(soql)
    assert (failure.error_code, failure.message) == (code, caret(soql, column, reason))


def _type_reason(field: str, kind: str, *, quoted: bool = False) -> str:
    should = "should" if quoted else "should not"
    return f"value of filter criterion for field '{field}' must be of type {kind} and {should} be enclosed in quotes"


ERRORS = [
    # literal types checked against field types
    ("HasOptedOutOfEmail = 'true'", "INVALID_FIELD", _type_reason("HasOptedOutOfEmail", "boolean")),
    ("HasOptedOutOfEmail = 1", "INVALID_FIELD", _type_reason("HasOptedOutOfEmail", "boolean")),
    ("Score__c = '1'", "INVALID_FIELD", _type_reason("Score__c", "double")),
    (
        "Account.NumberOfEmployees IN (1, '2')",
        "INVALID_FIELD",
        _type_reason("NumberOfEmployees", "integer"),
    ),
    ("LastName = 5", "INVALID_FIELD", _type_reason("LastName", "string", quoted=True)),
    ("LastName = TODAY", "INVALID_FIELD", _type_reason("LastName", "string", quoted=True)),
    ("Email = false", "INVALID_FIELD", _type_reason("Email", "string", quoted=True)),
    ("CreatedDate > 2024-01-01", "INVALID_FIELD", _type_reason("CreatedDate", "dateTime")),
    (
        "CreatedDate > '2024-01-01T00:00:00Z'",
        "INVALID_FIELD",
        _type_reason("CreatedDate", "dateTime"),
    ),
    ("Birthdate = 2024-01-01T00:00:00Z", "INVALID_FIELD", _type_reason("Birthdate", "date")),
    ("Birthdate = 20240101", "INVALID_FIELD", _type_reason("Birthdate", "date")),
    ("Id = 5", "INVALID_FIELD", _type_reason("Id", "id", quoted=True)),
    ("AccountId = 'not an id'", "INVALID_QUERY_FILTER_OPERATOR", "invalid ID field: not an id"),
    ("Photo = 'x'", "INVALID_FIELD", "field 'Photo' can not be filtered in query call"),
    # operators a field type does not take
    ("Score__c LIKE '1%'", "INVALID_QUERY_FILTER_OPERATOR", "invalid operator on double field"),
    (
        "HasOptedOutOfEmail > true",
        "INVALID_QUERY_FILTER_OPERATOR",
        "invalid operator on boolean field",
    ),
    # syntax Salesforce refuses, or the sandbox does not serve: never silently dropped
    ("LastName = 'x' AND Email = 'y' OR Score__c = 1", "MALFORMED_QUERY", "unexpected token: 'OR'"),
    (
        "LastName = 'x' OR Email = 'y' AND Score__c = 1",
        "MALFORMED_QUERY",
        "unexpected token: 'AND'",
    ),
    ("LastName LIKE 5", "MALFORMED_QUERY", "unexpected token: '5'"),
    ("LastName IN ()", "MALFORMED_QUERY", "unexpected token: ')'"),
    ("LastName IN 'x'", "MALFORMED_QUERY", "unexpected token: ''x''"),
    ("Id IN (SELECT ContactId FROM Case)", "MALFORMED_QUERY", "unexpected token: 'SELECT'"),
    ("LastName INCLUDES ('a')", "MALFORMED_QUERY", "unexpected token: 'INCLUDES'"),
    ("Score__c > null", "MALFORMED_QUERY", "unexpected token: 'null'"),
    ("CreatedDate = LAST_N_DAYS", "MALFORMED_QUERY", "Invalid date literal 'LAST_N_DAYS'"),
    ("CreatedDate = LAST_N_FOO:3", "MALFORMED_QUERY", "unexpected token: 'LAST_N_FOO:3'"),
    ("CreatedDate = THIS_FISCAL_YEAR", "MALFORMED_QUERY", "unexpected token: 'THIS_FISCAL_YEAR'"),
    ("Birthdate = 2024-02-30", "MALFORMED_QUERY", "invalid date: 2024-02-30"),
    (
        "CreatedDate = 2024-01-31T25:00:00Z",
        "MALFORMED_QUERY",
        "invalid dateTime: 2024-01-31T25:00:00Z",
    ),
    (
        "CreatedDate = 2024-01-31T10:00:00",
        "MALFORMED_QUERY",
        "unexpected token: '2024-01-31T10:00:00'",
    ),
    ("LastName = 'a\\qb'", "MALFORMED_QUERY", "Invalid string literal"),
    ("LastName = 'open", "MALFORMED_QUERY", "unterminated string literal"),
    ('LastName = "Smith"', "MALFORMED_QUERY", "unexpected token: '\"'"),
    ("LastName = :name", "MALFORMED_QUERY", "unexpected token: ':'"),
    ("LastName == 'x'", "MALFORMED_QUERY", "unexpected token: '='"),
    ("toLabel(LastName) = 'x'", "MALFORMED_QUERY", "unexpected token: '('"),
    ("LastName = 'x'; DROP TABLE Contact", "MALFORMED_QUERY", "unexpected token: ';'"),
    ("NOT", "MALFORMED_QUERY", "unexpected token: <EOF>"),
    ("(LastName = 'x'", "MALFORMED_QUERY", "unexpected token: <EOF>"),
]


@pytest.mark.parametrize(("where", "code", "reason"), ERRORS, ids=[e[0] for e in ERRORS])
def test_filter_errors(where: str, code: str, reason: str) -> None:
    failure = error(f"SELECT Id FROM Contact WHERE {where}")
    assert failure.error_code == code
    assert "\nERROR at Row:1:Column:" in failure.message
    assert failure.message.splitlines()[-1].startswith(reason)


FIELDS_LIMIT = "The SOQL FIELDS function must have a LIMIT of at most 200"
STATEMENT_ERRORS = [
    ("", "MALFORMED_QUERY", "unexpected token: <EOF>"),
    ("SELECT FROM Contact", "MALFORMED_QUERY", "unexpected token: 'FROM'"),
    ("SELECT Id Name FROM Contact", "MALFORMED_QUERY", "unexpected token: 'Name'"),
    ("SELECT Id, Id FROM Contact", "MALFORMED_QUERY", "duplicate field selected: Id"),
    (
        "SELECT Account.Name, account.NAME FROM Contact",
        "MALFORMED_QUERY",
        "duplicate field selected: Account.Name",
    ),
    ("SELECT COUNT(), Id FROM Contact", "MALFORMED_QUERY", "unexpected token: ','"),
    ("SELECT FIELDS(ALL) FROM Contact", "MALFORMED_QUERY", FIELDS_LIMIT),
    ("SELECT FIELDS(CUSTOM) FROM Contact LIMIT 201", "MALFORMED_QUERY", FIELDS_LIMIT),
    ("SELECT FIELDS(SOME) FROM Contact", "MALFORMED_QUERY", "unexpected token: 'SOME'"),
    ("SELECT FIELDS ALL FROM Contact", "MALFORMED_QUERY", "unexpected token: 'ALL'"),
    (
        "SELECT Id, (SELECT Id FROM Contacts) FROM Account",
        "MALFORMED_QUERY",
        "unexpected token: '('",
    ),
    ("SELECT Id FROM Contact GROUP BY LastName", "MALFORMED_QUERY", "unexpected token: 'GROUP'"),
    (
        "SELECT Id FROM Contact WITH SECURITY_ENFORCED",
        "MALFORMED_QUERY",
        "unexpected token: 'WITH'",
    ),
    ("SELECT Id FROM Contact FOR UPDATE", "MALFORMED_QUERY", "unexpected token: 'FOR'"),
    ("SELECT Id FROM Contact, Account", "MALFORMED_QUERY", "unexpected token: ','"),
    ("SELECT Id FROM Contact LIMIT 'x'", "MALFORMED_QUERY", "unexpected token: ''x''"),
    ("SELECT Id FROM Contact LIMIT -1", "MALFORMED_QUERY", "unexpected token: '-1'"),
    ("SELECT Id FROM Contact LIMIT 1.5", "MALFORMED_QUERY", "unexpected token: '1.5'"),
    ("SELECT Id FROM Contact OFFSET 5 LIMIT 2", "MALFORMED_QUERY", "unexpected token: 'LIMIT'"),
    ("SELECT Id FROM Contact ORDER LastName", "MALFORMED_QUERY", "unexpected token: 'LastName'"),
    (
        "SELECT Id FROM Contact ORDER BY LastName NULLS",
        "MALFORMED_QUERY",
        "unexpected token: <EOF>",
    ),
    (
        "SELECT Id FROM Contact ORDER BY LastName NULLS LOW",
        "MALFORMED_QUERY",
        "unexpected token: 'LOW'",
    ),
    (
        "SELECT Id FROM Contact LIMIT 5 OFFSET 99999",
        "NUMBER_OUTSIDE_VALID_RANGE",
        "Maximum SOQL offset allowed is 2000",
    ),
    ('SELECT "Id" FROM Contact', "MALFORMED_QUERY", "unexpected token: '\"'"),
]


@pytest.mark.parametrize(
    ("soql", "code", "reason"), STATEMENT_ERRORS, ids=[e[0] or "empty" for e in STATEMENT_ERRORS]
)
def test_statement_errors(soql: str, code: str, reason: str) -> None:
    failure = error(soql)
    assert (failure.error_code, failure.message.splitlines()[-1]) == (code, reason)


def test_error_position_on_a_later_row() -> None:
    soql = "SELECT Id\nFROM Contact\nWHERE Nope = 1"
    assert error(soql).message == (
        "\nWHERE Nope = 1\n      ^\nERROR at Row:3:Column:7\nNo such column 'Nope' on entity 'Contact'"
        + NO_COLUMN_TAIL
    )
