"""Validating many records at once: records grouped by their keys, each group column by column.

Records of one DML call mostly carry the same keys (a Bulk chunk, a Collections request). For
each set of keys a :class:`ShapePlan` is made once: which field each key names, whether the
set as such is refused (an unknown field, a field that cannot be written), which defaults and
required fields apply. A group is then converted one column at a time
(:mod:`.validation_columns`). Any record with a problem goes through
:meth:`.validation.RecordValidator.prepare` itself, so errors are exactly the per-record ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import repeat
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from ditoolkit.sandbox.salesforce.dict_rows import dict_builder
from ditoolkit.sandbox.salesforce.validation import FieldProblem
from ditoolkit.sandbox.salesforce.validation_columns import FieldConverter

if TYPE_CHECKING:
    from ditoolkit.sandbox.salesforce.validation import RecordValidator

Record = dict[str, Any]
Prepared = tuple[Record, list[dict[str, Any]]]
#: Key sets remembered per validator (older ones are dropped past this many).
MAX_SHAPES = 256


@dataclass(frozen=True)
class ShapePlan:
    """How records with one set of keys are validated.

    Attributes:
        refusal: the one error every such record fails with, else ``None``.
        keys: the keys converted, in record order.
        names: their canonical field names (distinct).
        columns: their column converters.
        default_columns: per name, the default filling its null values (else ``None``).
        added: defaults for fields the records do not carry, as (name, value).
        checked: indexes of ``names`` that are required (a null there needs the slow path).
        always_missing: a required field none of these records carry (every record fails).
    """

    refusal: dict[str, Any] | None
    keys: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    columns: tuple[FieldConverter, ...] = ()
    default_columns: tuple[Any, ...] = ()
    added: tuple[tuple[str, Any], ...] = ()
    checked: tuple[int, ...] = ()
    always_missing: bool = False


def make_plan(validator: RecordValidator, keys: tuple[str, ...]) -> ShapePlan | None:
    """The plan for records with ``keys``; ``None`` when they need the per-record path."""
    kept: list[tuple[str, str]] = []
    locked: list[str] = []
    for key in keys:
        found = validator.entry(key)
        if found is None:
            if key == "attributes" or (not validator.creating and key.lower() == "id"):
                continue
            return ShapePlan(validator.unknown_field(key))
        name, convert = found
        if convert is None:
            locked.append(name)
        else:
            kept.append((key, name))
    if locked:
        return ShapePlan(validator.not_writable(locked))
    names = tuple(name for _, name in kept)
    if len(set(names)) != len(names):
        return None  # one field under two spellings: the per-record path orders them
    defaults = validator.defaults if validator.creating else {}
    required = {f.name for f in validator.required}
    return ShapePlan(
        None,
        keys=tuple(key for key, _ in kept),
        names=names,
        columns=tuple(validator.column(name) for name in names),
        default_columns=tuple(defaults.get(name) for name in names),
        added=tuple((n, v) for n, v in defaults.items() if n not in names),
        checked=tuple(i for i, name in enumerate(names) if name in required),
        always_missing=validator.creating and not required <= set(names),
    )


def _plan(validator: RecordValidator, keys: tuple[str, ...]) -> ShapePlan | None:
    plans = validator.plans
    if keys not in plans:
        if len(plans) >= MAX_SHAPES:
            plans.clear()
        plans[keys] = make_plan(validator, keys)
    plan: ShapePlan | None = plans[keys]
    return plan


def prepare_many(validator: RecordValidator, records: list[Record]) -> list[Prepared]:
    """``[validator.prepare(r) for r in records]``, computed a column at a time."""
    shapes = list(map(tuple, records))
    groups: dict[tuple[str, ...], list[int]] = {}
    if shapes and shapes.count(shapes[0]) == len(shapes):
        groups[shapes[0]] = list(range(len(records)))
    else:
        for position, keys in enumerate(shapes):
            groups.setdefault(keys, []).append(position)
    out: list[Prepared] = [({}, [])] * len(records)
    for keys, positions in groups.items():
        plan = _plan(validator, keys)
        group = records if len(positions) == len(records) else [records[p] for p in positions]
        if plan is None or plan.always_missing:
            results = [validator.prepare(r) for r in group]
        elif plan.refusal is not None:
            results = [({}, [_copy(plan.refusal)]) for _ in group]
        else:
            results = _run(validator, plan, group)
        if len(positions) == len(records):
            return results
        for position, result in zip(positions, results, strict=True):
            out[position] = result
    return out


def _run(validator: RecordValidator, plan: ShapePlan, group: list[Record]) -> list[Prepared]:
    size = len(group)
    raw = _columns(plan.keys, group)
    slow: set[int] = set()
    columns: list[list[Any]] = []
    for values, convert, default in zip(raw, plan.columns, plan.default_columns, strict=True):
        converted = _convert(values, convert, slow)
        if default is not None and None in converted:
            converted = [default if v is None else v for v in converted]
        columns.append(converted)
    for index in plan.checked:
        if None in columns[index]:
            slow.update(i for i, v in enumerate(columns[index]) if v is None)
    names = plan.names + tuple(name for name, _ in plan.added)
    columns.extend([value] * size for _, value in plan.added)
    rows = zip(*columns, strict=True) if columns else repeat((), size)
    results: list[Prepared] = [(values, []) for values in dict_builder(names)(rows)]
    for i in slow:
        results[i] = validator.prepare(group[i])
    return results


def _columns(keys: tuple[str, ...], group: list[Record]) -> list[Sequence[Any]]:
    if not keys:
        return []
    if len(keys) == 1:
        return [[record[keys[0]] for record in group]]
    return list(zip(*map(itemgetter(*keys), group), strict=True))


def _convert(values: Sequence[Any], convert: FieldConverter, slow: set[int]) -> list[Any]:
    """The column's storage values; rows whose value is refused are added to ``slow``."""
    try:
        return list(convert.column(values))
    except FieldProblem:
        pass
    out: list[Any] = []
    for i, value in enumerate(values):
        try:
            out.append(convert.cell(value))
        except FieldProblem:
            out.append(None)
            slow.add(i)
    return out


def _copy(problem: dict[str, Any]) -> dict[str, Any]:
    return {**problem, "fields": list(problem["fields"])}
