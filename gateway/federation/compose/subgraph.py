"""A subgraph as composition sees it: its schema with the federation elements it links, and what
its federation directives say about each type and field (external, shareable, used, ...).

Federation 2 subgraphs link the federation spec (`extend schema @link(url: ".../federation/v2.3",
import: [...])`); federation 1 subgraphs use `@key` and friends without a link and are upgraded
before merging (`upgrade.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import GraphQLSyntaxError, parse
from graphql.language import ast

from .build import build_schema, check_unique_type_names
from .context import parse_context
from .directive_names import DirectiveChecker, directive_nodes_in_build_order
from .errors import Code, CompositionError, CompositionFailed, in_subgraph, syntax_message
from .fieldset import collect_fields
from .links import LINK_IDENTITY, CoreFeature, CoreFeatures, FeatureUrl, Import, Version, extract_imports
from .schema import (
    BUILT_IN_DIRECTIVES,
    DEFAULT_ROOT_NAMES,
    ROOT_KINDS,
    DirectiveDefinition,
    EnumType,
    FieldDefinition,
    FieldsType,
    InterfaceType,
    ListRef,
    NamedRef,
    NamedType,
    NonNullRef,
    ObjectType,
    ScalarType,
    Schema,
    UnionType,
    base_name,
)
from .specs import (
    FEDERATION,
    FEDERATION1_DIRECTIVES,
    FEDERATION_VERSIONS,
    KNOWN,
    LINK_VERSIONS,
    DirectiveSpec,
    FeatureSpec,
    known_spec,
)
from .values import value_from_ast

RESERVED_NAME = "_"
FEDERATION_FIELDS = ("_service", "_entities")
FEDERATION_TYPES = ("_Any", "_Service", "_Entity")


@dataclass(frozen=True)
class SubgraphInput:
    """One subgraph to compose: its name, routing URL and SDL."""

    name: str
    url: str
    sdl: str


class Subgraph:
    def __init__(self, name: str, url: str, schema: Schema, features: CoreFeatures | None) -> None:
        self.name = name
        self.url = url
        self.schema = schema
        self.features = features
        federation = features.get(FEDERATION) if features else None
        self.federation: CoreFeature | None = federation
        self.fed2 = federation is not None and federation.url.version.major == 2
        self.spec: FeatureSpec | None = FEDERATION_VERSIONS.find(federation.url.version) if federation else None
        self._cache: dict[str, Any] = {}  # what the directives say, computed once
        self._applications: dict[str, list[Any]] = {}

    # --- names ---------------------------------------------------------------------------------

    def directive_name(self, name: str) -> str | None:
        """The name of a federation directive in this subgraph (None if its version lacks it)."""
        if not self.fed2:
            return name if any(d.name == name for d in FEDERATION1_DIRECTIVES) else None
        assert self.federation is not None and self.spec is not None
        if self.spec.directive(name) is None:
            return None
        return self.federation.directive_name_in_schema(name)

    def type_name(self, name: str) -> str:
        if not self.fed2:
            return "_" + name
        assert self.federation is not None
        return self.federation.type_name_in_schema(name)

    def applied(self, element: Any, directive: str) -> list[Any]:
        name = self.directive_name(directive)
        return element.applied(name) if name else []

    def has(self, element: Any, directive: str) -> bool:
        return bool(self.applied(element, directive))

    def applications(self, directive: str) -> list[Any]:
        """Every application of a federation directive (cached until `schema_changed`)."""
        cached: list[Any] | None = self._applications.get(directive)
        if cached is None:
            cached = self.schema.applications(self.directive_name(directive))
            self._applications[directive] = cached
        return cached

    # --- what the federation directives say ------------------------------------------------------

    def schema_changed(self) -> None:
        """The directives' applications changed; what they say (external, used, shareable) stays as first
        computed, as in Apollo's upgrade of a federation 1 subgraph (its caches live until validation)."""
        self._applications.clear()

    def is_interface_object(self, type_: NamedType | None) -> bool:
        return isinstance(type_, ObjectType) and self.has(type_, "interfaceObject")

    def is_entity(self, type_: NamedType | None) -> bool:
        return isinstance(type_, ObjectType | InterfaceType) and self.has(type_, "key")

    def _fake_externals(self) -> set[str]:
        """Key fields of federation 1 style extensions, marked @external but resolved here."""
        cached: set[str] | None = self._cache.get("fake")
        if cached is not None:
            return cached
        found: set[str] = set()
        for key in self.applications("key"):
            parent = key.parent
            if not (key.extension is not None or self.has(parent, "extends")):
                continue
            fields = key.args.get("fields")
            if not isinstance(fields, str):
                continue
            for definition in collect_fields(self.schema, parent, fields, include_implementations=False):
                if self.has(definition, "external"):
                    found.add(definition.coordinate)
        self._cache["fake"] = found
        return found

    def _provided(self) -> set[str]:
        cached: set[str] | None = self._cache.get("provided")
        if cached is not None:
            return cached
        found: set[str] = set()
        for provides in self.applications("provides"):
            target = self.schema.type(base_name(provides.parent.type))
            fields = provides.args.get("fields")
            if isinstance(target, FieldsType | UnionType) and isinstance(fields, str):
                found.update(d.coordinate for d in collect_fields(self.schema, target, fields, True))
        self._cache["provided"] = found
        return found

    def _externals_on_type(self) -> set[str]:
        cached: set[str] | None = self._cache.get("external_types")
        if cached is not None:
            return cached
        found: set[str] = set()
        if self.fed2:
            for type_ in self.schema.object_types():
                if self.has(type_, "external"):
                    found.update(f.coordinate for f in type_.fields.values())
        self._cache["external_types"] = found
        return found

    def is_external(self, definition: FieldDefinition) -> bool:
        marked = self.has(definition, "external") or definition.coordinate in self._externals_on_type()
        return marked and definition.coordinate not in self._fake_externals()

    def is_fake_external(self, definition: FieldDefinition) -> bool:
        return definition.coordinate in self._fake_externals()

    def is_partially_external(self, definition: FieldDefinition) -> bool:
        return self.is_external(definition) and definition.coordinate in self._provided()

    def is_fully_external(self, definition: FieldDefinition) -> bool:
        return self.is_external(definition) and definition.coordinate not in self._provided()

    def is_shareable(self, definition: FieldDefinition) -> bool:
        shareables: set[str] | None = self._cache.get("shareable")
        if shareables is None:
            shareables = self._compute_shareables()
            self._cache["shareable"] = shareables
        return definition.coordinate in shareables

    def _compute_shareables(self) -> set[str]:
        found: set[str] = set()

        def add_keys(type_: ObjectType | InterfaceType) -> None:
            for key in self.applied(type_, "key"):
                fields = key.args.get("fields")
                if isinstance(fields, str):
                    found.update(d.coordinate for d in collect_fields(self.schema, type_, fields, True))

        shareable = self.directive_name("shareable") if self.fed2 else None
        for type_ in self.schema.object_types():
            add_keys(type_)
            on_type = type_.applied(shareable)
            for definition in type_.fields.values():
                if definition.has(shareable) or any(d.extension is definition.extension for d in on_type):
                    found.add(definition.coordinate)
                for provides in self.applied(definition, "provides"):
                    target = self.schema.type(base_name(definition.type))
                    fields = provides.args.get("fields")
                    if isinstance(target, FieldsType | UnionType) and isinstance(fields, str):
                        for provided in collect_fields(self.schema, target, fields, True):
                            if self.is_external(provided):
                                found.add(provided.coordinate)
        for interface in self.schema.interface_types():
            add_keys(interface)
        return found

    def is_used(self, definition: FieldDefinition) -> bool:
        used: set[int] | None = self._cache.get("used")
        if used is None:
            used = {id(d) for d in self._used_fields()}
            self._cache["used"] = used
        return id(definition) in used

    def _used_fields(self) -> list[FieldDefinition]:
        used: list[FieldDefinition] = []

        def collect(directive: str, target_of: Any) -> None:
            for application in self.applications(directive):
                target = target_of(application.parent)
                fields = application.args.get("fields")
                if target is not None and isinstance(fields, str):
                    used.extend(collect_fields(self.schema, target, fields, include_implementations=True))

        collect("key", lambda type_: type_)
        collect("requires", lambda definition: definition.parent)

        def provided_type(definition: FieldDefinition) -> Any:
            target = self.schema.type(base_name(definition.type))
            return target if isinstance(target, FieldsType | UnionType) else None

        collect("provides", provided_type)
        used.extend(self._used_by_context())
        for interface in self.schema.interface_types():
            for implementation in self.schema.possible_runtime_types(interface.name):
                for name in interface.fields:
                    implementing = implementation.fields.get(name)
                    if implementing is not None:
                        used.append(implementing)
        return used

    def _used_by_context(self) -> list[FieldDefinition]:
        used: list[FieldDefinition] = []
        if self.directive_name("context") is None or self.directive_name("fromContext") is None:
            return used
        entry_points: dict[str, list[Any]] = {}
        for application in self.applications("context"):
            entry_points.setdefault(application.args.get("name"), []).append(application.parent)
        for application in self.applications("fromContext"):
            context, selection = parse_context(application.args.get("field"))
            if context is None or selection is None:
                continue
            for type_ in entry_points.get(context, []):
                used.extend(collect_fields(self.schema, type_, selection, include_implementations=True))
        return used


# --- building ------------------------------------------------------------------------------------


def parse_sdl(name: str, sdl: str) -> ast.DocumentNode:
    try:
        return parse(sdl)
    except GraphQLSyntaxError as error:
        where = ""
        if error.locations:
            location = error.locations[0]
            where = f" (line {location.line}, column {location.column})"
        message = syntax_message(error.message)
        raise CompositionFailed([CompositionError(Code.INVALID_GRAPHQL, f"[{name}] {message}{where}")]) from None


def _schema_links(document: ast.DocumentNode) -> list[ast.DirectiveNode]:
    links: list[ast.DirectiveNode] = []
    for definition in document.definitions:
        if isinstance(definition, ast.SchemaDefinitionNode | ast.SchemaExtensionNode):
            links.extend(d for d in definition.directives or () if d.name.value == "link")
    return links


def build_subgraph(subgraph: SubgraphInput, document: ast.DocumentNode | None = None) -> Subgraph:
    """Parse (unless given the parsed SDL) and complete one subgraph: federation elements added,
    root types renamed. Its own validation runs in `validate.py`."""
    if subgraph.name == RESERVED_NAME:
        raise CompositionFailed(
            [
                CompositionError(
                    Code.INVALID_SUBGRAPH_NAME, f"Invalid name {RESERVED_NAME} for a subgraph: this name is reserved"
                )
            ]
        )
    if document is None:
        document = parse_sdl(subgraph.name, subgraph.sdl)
    try:
        links = [
            {argument.name.value: value_from_ast(argument.value) for argument in link.arguments or ()}
            for link in _schema_links(document)
        ]
        check_unique_type_names(document)
        fed2 = any(str(link.get("url", "")).startswith(FEDERATION) for link in links)
        features = _link_features(links) if fed2 else None  # link errors stop the build, as in Apollo
        uses_link = any(d.name.value == "link" for d, _ in directive_nodes_in_build_order(document))
        checker = DirectiveChecker(_defined_directives(document, features, uses_link), _federation_of(features))
        schema = build_schema(document, () if fed2 else FEDERATION_FIELDS, checker)
        result = Subgraph(subgraph.name, subgraph.url, schema, features)
        complete_subgraph(result)
    except CompositionFailed as failure:
        raise CompositionFailed([in_subgraph(subgraph.name, e) for e in failure.errors]) from None
    return result


def _federation_of(features: CoreFeatures | None) -> CoreFeature | None:
    return features.get(FEDERATION) if features is not None else None


def _defined_directives(document: ast.DocumentNode, features: CoreFeatures | None, has_links: bool) -> list[str]:
    """The directives a subgraph may apply: its own definitions, GraphQL's, and the linked specs'."""
    names = [d.name.value for d in document.definitions if isinstance(d, ast.DirectiveDefinitionNode)]
    names += [name for name, *_ in BUILT_IN_DIRECTIVES]
    if features is None:
        names += [d.name for d in FEDERATION1_DIRECTIVES] + (["link"] if has_links else [])
        return names
    for feature in features.all():
        spec = LINK_VERSIONS.find(feature.url.version) if feature is features.core_itself else known_spec(feature.url)
        if spec is None:
            federation = feature.url.identity == FEDERATION
            if federation:
                raise CompositionFailed(
                    [
                        CompositionError(
                            Code.UNKNOWN_FEDERATION_LINK_VERSION,
                            f"Invalid version {feature.url.version} for the federation feature in @link directive "
                            "on schema",
                        )
                    ]
                )
            continue
        names += [feature.directive_name_in_schema(d.name) for d in spec.directives]
    return names


def _link_features(links: list[dict[str, Any]]) -> CoreFeatures:
    """The features the schema's `@link`s name (their arguments as written), the link spec itself first."""
    core_args = next((link for link in links if str(link.get("url", "")).startswith(LINK_IDENTITY)), None)
    core_url = FeatureUrl.parse(str(core_args["url"])) if core_args is not None else LINK_VERSIONS.latest().url
    if LINK_VERSIONS.find(core_url.version) is None:
        raise CompositionFailed(
            [
                CompositionError(
                    Code.UNKNOWN_LINK_VERSION, f"Schema uses unknown version {core_url.version} of the link spec"
                )
            ]
        )
    alias = core_args.get("as") if core_args is not None else None
    features = CoreFeatures(CoreFeature(core_url, str(alias or core_url.name)))
    for link in links:  # the first @link in error stops the build
        if link is core_args:
            continue
        url = FeatureUrl.parse(str(link.get("url")))
        spec = known_spec(url)
        imports = extract_imports(link, spec.element_names() if spec else None)
        features.add(CoreFeature(url, str(link.get("as") or url.name), imports, link.get("for")))
    return features


def complete_subgraph(subgraph: Subgraph) -> None:
    """Add what the linked specs define (`@key`, `FieldSet`, ...), rename root types to their
    default names and add the federation operations (`_entities`, `_service`)."""
    schema = subgraph.schema
    errors: list[CompositionError] = []
    if subgraph.features is not None:
        federation = subgraph.features.get(FEDERATION)
        assert federation is not None
        if subgraph.spec is None:
            node_version = federation.url.version
            raise CompositionFailed(
                [
                    CompositionError(
                        Code.UNKNOWN_FEDERATION_LINK_VERSION,
                        f"Invalid version {node_version} for the federation feature in @link directive on schema",
                    )
                ]
            )
        link = subgraph.features.core_itself
        link_spec = LINK_VERSIONS.find(link.url.version)
        assert link_spec is not None
        add_spec_elements(schema, link_spec, link, errors)
        add_spec_elements(schema, subgraph.spec, federation, errors)
        for feature in subgraph.features.all():
            if feature is link or feature.url.identity in (FEDERATION, "https://specs.apollo.dev/join"):
                continue
            spec = known_spec(feature.url)
            if spec is not None:
                add_spec_elements(schema, spec, feature, errors)
    else:
        complete_federation1(schema, errors)
    if errors:
        raise CompositionFailed(errors)
    rename_root_types(schema)
    add_federation_operations(subgraph)


def complete_federation1(schema: Schema, errors: list[CompositionError]) -> None:
    for name in ("key", "provides", "requires"):
        existing = schema.directive(name)
        if existing is None:
            continue
        fields = existing.arguments.get("fields")
        wrong_in_known_ways = (
            fields is not None
            and len(existing.arguments) == 1
            and str(fields.type) in ("String", "_FieldSet", "FieldSet")
        )
        if not existing.arguments or wrong_in_known_ways:
            del schema.directive_definitions[name]
    if schema.directive("link") is None and schema.applications("link"):
        # a @link to anything but federation: the link spec's definitions come with it, as in Apollo
        link = LINK_VERSIONS.latest()
        add_spec_elements(schema, link, CoreFeature(link.url, "link"), errors)
    if schema.type("_FieldSet") is None:
        schema.add_type(ScalarType("_FieldSet"))
    for spec in FEDERATION1_DIRECTIVES:
        add_directive(schema, spec, spec.name, lambda n: "_" + n, errors)


def add_spec_elements(schema: Schema, spec: FeatureSpec, feature: CoreFeature, errors: list[CompositionError]) -> None:
    for type_spec in spec.types:
        name = feature.type_name_in_schema(type_spec.name)
        existing = schema.type(name)
        if existing is None:
            if type_spec.is_enum:
                enum = EnumType(name)
                for value, description in type_spec.values:
                    enum.add_value(value).description = description
                schema.add_type(enum)
            else:
                schema.add_type(ScalarType(name))
    for directive_spec in spec.directives:
        add_directive(
            schema,
            directive_spec,
            feature.directive_name_in_schema(directive_spec.name),
            feature.type_name_in_schema,
            errors,
        )


def add_directive(
    schema: Schema, spec: DirectiveSpec, name: str, type_name: Any, errors: list[CompositionError]
) -> DirectiveDefinition:
    existing = schema.directive(name)
    if existing is not None:
        return existing  # a definition written in the SDL stays (and is checked by validation)
    definition = schema.add_directive_definition(DirectiveDefinition(name))
    definition.repeatable = spec.repeatable
    definition.locations.extend(spec.locations)
    for arg in spec.args:
        definition.add_argument(arg.name, arg.type_ref(type_name), arg.default)
    return definition


def rename_root_types(schema: Schema) -> None:
    """Federation wants root types under their default names."""
    errors = []
    for kind in ROOT_KINDS:
        name = schema.schema_definition.root(kind)
        default = DEFAULT_ROOT_NAMES[kind]
        if name is None or name == default:
            continue
        if schema.type(default) is not None:
            errors.append(
                CompositionError(
                    f"ROOT_{kind.upper()}_USED",
                    f'The schema has a type named "{default}" but it is not set as the {kind} root type ("{name}" '
                    "is instead): this is not supported by federation. If a root type does not use its default "
                    "name, there should be no other type with that default name.",
                )
            )
            continue
        schema.rename_type(name, default)
    if errors:
        raise CompositionFailed(errors)


def add_federation_operations(subgraph: Subgraph) -> None:
    schema = subgraph.schema
    if schema.type("_Any") is None:
        schema.add_type(ScalarType("_Any"))
    if schema.type("_Service") is None:
        service = ObjectType("_Service")
        service.add_field("sdl", NamedRef("String"))
        schema.add_type(service)
    entities = [t.name for t in schema.object_types() if subgraph.is_entity(t)]
    if entities and schema.type("_Entity") is None:
        union = UnionType("_Entity")
        union.members = [(name, None) for name in entities]
        schema.add_type(union)
    query_name = schema.schema_definition.root("query")
    if query_name is None:
        query = schema.type("Query") or schema.add_type(ObjectType("Query"))
        assert isinstance(query, ObjectType)
        schema.schema_definition.roots["query"] = ("Query", None)
    else:
        found = schema.type(query_name)
        assert isinstance(found, ObjectType)
        query = found
    if entities and "_entities" not in query.fields:
        entities_field = query.add_field("_entities", NonNullRef(ListRef(NamedRef("_Entity"))))
        entities_field.add_argument("representations", NonNullRef(ListRef(NonNullRef(NamedRef("_Any")))))
    if "_service" not in query.fields:
        query.add_field("_service", NonNullRef(NamedRef("_Service")))


def is_federation_field(schema: Schema, definition: FieldDefinition) -> bool:
    return definition.name in FEDERATION_FIELDS and schema.schema_definition.root("query") == definition.parent.name


def federation_version_used(subgraph: Subgraph) -> Version | None:
    """The federation version of a subgraph: the one it links, or higher when a linked feature needs it."""
    if subgraph.federation is None:
        return None
    linked = subgraph.federation.url.version
    implied: Version | None = None
    assert subgraph.features is not None
    for feature in subgraph.features.all():
        versions = KNOWN.get(feature.url.identity)
        spec = versions.find(feature.url.version) if versions else None
        minimum = spec.minimum_federation if spec is not None else None
        if minimum is not None and (implied is None or minimum > implied):
            implied = minimum
    if implied is None or not implied.satisfies(linked) or linked >= implied:
        return linked
    return implied


__all__ = ["Import", "Subgraph", "SubgraphInput", "build_subgraph"]
