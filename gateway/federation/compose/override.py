"""`@override(from: "a", label: "percent(25)")`: a subgraph takes over a field from another.

The overridden subgraph stops resolving the field (or, with a label, only for the share of
traffic the label gives the overriding one): composition records that in `@join__field`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from .errors import Code, CompositionError, CompositionHint, HintCode, human_list
from .schema import FieldDefinition, InterfaceType
from .suggestions import did_you_mean, suggestion_list

LABEL = re.compile(r"^[a-zA-Z][a-zA-Z0-9_\-:./]*$")
PERCENT = re.compile(r"^percent\((\d{1,2}(\.\d{1,8})?|100)\)$")

if TYPE_CHECKING:
    from .fields import FieldMerger
    from .merge_base import FieldMergeContext
    from .reporter import Sources


def validate_override(merger: FieldMerger, sources: Sources, dest: FieldDefinition, context: FieldMergeContext) -> None:
    entries: dict[str, dict[str, Any]] = {}
    with_override: list[str] = []
    for index, source in sources.items():
        name = merger.names[index]
        if source is None:
            abstracted = merger._fields_abstracted_by_interface_object(dest, index)
            if abstracted:
                entries[name] = {"index": index, "abstracted": abstracted}
            continue
        subgraph = merger.subgraphs[index]
        overrides = subgraph.applied(source, "override") if subgraph.fed2 else []
        entry = {
            "index": index,
            "interface_field": isinstance(source.parent, InterfaceType),
            "interface_object": subgraph.is_interface_object(source.parent),
            "override": overrides[0] if overrides else None,
        }
        entries[name] = entry
        if entry["override"] is not None:
            with_override.append(name)

    for name in with_override:
        entry = entries[name]
        override = entry["override"]
        index = entry["index"]
        if entry["interface_field"]:
            merger.errors.append(
                CompositionError(
                    Code.OVERRIDE_ON_INTERFACE,
                    f'@override cannot be used on field "{dest.coordinate}" on subgraph "{name}": @override is not '
                    "supported on interface type fields.",
                )
            )
            continue
        if entry["interface_object"]:
            merger.errors.append(
                CompositionError(
                    Code.OVERRIDE_COLLISION_WITH_ANOTHER_DIRECTIVE,
                    "@override is not yet supported on fields of @interfaceObject types: cannot be used on field "
                    f'"{dest.coordinate}" on subgraph "{name}".',
                )
            )
            continue
        source_name = override.args.get("from")
        if source_name not in merger.names:
            context.unknown_target.add(index)
            suggestions = did_you_mean(suggestion_list(str(source_name), merger.names))
            merger.hints.append(
                CompositionHint(
                    HintCode.FROM_SUBGRAPH_DOES_NOT_EXIST,
                    f'Source subgraph "{source_name}" for field "{dest.coordinate}" on subgraph "{name}" does not '
                    f"exist.{suggestions}",
                )
            )
        elif source_name == name:
            merger.errors.append(
                CompositionError(
                    Code.OVERRIDE_FROM_SELF_ERROR,
                    f'Source and destination subgraphs "{source_name}" are the same for overridden field '
                    f'"{dest.coordinate}"',
                )
            )
        elif source_name in with_override:
            merger.errors.append(
                CompositionError(
                    Code.OVERRIDE_SOURCE_HAS_OVERRIDE,
                    f'Field "{dest.coordinate}" on subgraph "{name}" is also marked with directive @override in '
                    f'subgraph "{source_name}". Only one @override directive is allowed per field.',
                )
            )
        elif source_name not in entries:
            merger.hints.append(
                CompositionHint(
                    HintCode.OVERRIDE_DIRECTIVE_CAN_BE_REMOVED,
                    f'Field "{dest.coordinate}" on subgraph "{name}" no longer exists in the from subgraph. The '
                    "@override directive can be removed.",
                )
            )
        else:
            _override_from(
                merger, sources, dest, context, entries, name, index, override, str(source_name), LABEL, PERCENT
            )


def _override_from(
    merger: FieldMerger,
    sources: Sources,
    dest: FieldDefinition,
    context: FieldMergeContext,
    entries: dict[str, dict[str, Any]],
    name: str,
    index: int,
    override: Any,
    source_name: str,
    label_pattern: Any,
    percent_pattern: Any,
) -> None:
    abstracted = entries[source_name].get("abstracted")
    if abstracted:
        types = human_list([f'"{f.parent.name}"' for f in abstracted], "type", "types")
        merger.errors.append(
            CompositionError(
                Code.OVERRIDE_COLLISION_WITH_ANOTHER_DIRECTIVE,
                f'Invalid @override on field "{dest.coordinate}" of subgraph "{name}": source subgraph '
                f'"{source_name}" does not have field "{dest.coordinate}" but abstract it in {types} and overriding '
                "abstracted fields is not supported.",
            )
        )
        return
    from_index = merger.names.index(source_name)
    from_field = sources.get(from_index)
    from_subgraph = merger.subgraphs[from_index]
    conflict = None
    for directive in ("requires", "provides"):
        if from_field is not None and from_subgraph.has(from_field, directive):
            conflict = (directive, source_name)
            break
    own = sources.get(index)
    if conflict is None and own is not None and merger.subgraphs[index].is_external(own):
        conflict = ("external", name)
    if conflict is not None:
        coordinate = from_field.coordinate if from_field is not None else dest.coordinate
        directive_name = from_subgraph.directive_name(conflict[0]) or conflict[0]
        merger.errors.append(
            CompositionError(
                Code.OVERRIDE_COLLISION_WITH_ANOTHER_DIRECTIVE,
                f'@override cannot be used on field "{coordinate}" on subgraph "{name}" since "{coordinate}" on '
                f'"{conflict[1]}" is marked with directive "@{directive_name}"',
            )
        )
        return
    assert from_field is not None
    label = override.args.get("label")
    referenced = from_subgraph.is_used(from_field)
    if from_subgraph.is_external(from_field):
        merger.hints.append(
            CompositionHint(
                HintCode.OVERRIDE_DIRECTIVE_CAN_BE_REMOVED,
                f'Field "{dest.coordinate}" on subgraph "{name}" is not resolved anymore by the from subgraph (it is '
                f'marked "@external" in "{source_name}"). The @override directive can be removed.',
            )
        )
    elif referenced:
        context.used_overridden.add(from_index)
        if not label:
            merger.hints.append(
                CompositionHint(
                    HintCode.OVERRIDDEN_FIELD_CAN_BE_REMOVED,
                    f'Field "{dest.coordinate}" on subgraph "{source_name}" is overridden. It is still used in some '
                    "federation directive(s) (@key, @requires, and/or @provides) and/or to satisfy interface "
                    "constraint(s), but consider marking it @external explicitly or removing it along with its "
                    "references.",
                )
            )
    else:
        context.unused_overridden.add(from_index)
        if not label:
            merger.hints.append(
                CompositionHint(
                    HintCode.OVERRIDDEN_FIELD_CAN_BE_REMOVED,
                    f'Field "{dest.coordinate}" on subgraph "{source_name}" is overridden. Consider removing it.',
                )
            )
    if label:
        valid = bool(label_pattern.match(label))
        if not valid:
            match = percent_pattern.match(label)
            valid = bool(match) and 0 <= float(match.group(1)) <= 100
        if valid:
            context.labels[index] = label
            context.labels[from_index] = label
        else:
            merger.errors.append(
                CompositionError(
                    Code.OVERRIDE_LABEL_INVALID,
                    f'Invalid @override label "{label}" on field "{dest.coordinate}" on subgraph "{name}": labels must '
                    "start with a letter and after that may contain alphanumerics, underscores, minuses, colons, "
                    'periods, or slashes. Alternatively, labels may be of the form "percent(x)" where x is a float '
                    "between 0-100 inclusive.",
                )
            )
        if referenced:
            message = (
                f'Field "{dest.coordinate}" on subgraph "{source_name}" is currently being migrated via progressive '
                "@override. It is still used in some federation directive(s) (@key, @requires, and/or @provides) "
                "and/or to satisfy interface constraint(s). Once the migration is complete, consider marking it "
                "@external explicitly or removing it along with its references."
            )
        else:
            message = (
                f'Field "{dest.coordinate}" is currently being migrated with progressive @override. Once the migration '
                f'is complete, remove the field from subgraph "{source_name}".'
            )
        merger.hints.append(CompositionHint(HintCode.OVERRIDE_MIGRATION_IN_PROGRESS, message))
