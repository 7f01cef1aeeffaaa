"""The specifications composition knows: their directives and types per version, which of their
directives compose into the supergraph and how their arguments merge.

Only the shape that composition needs is written down here (names, locations, argument types and
defaults, the order in which a specification adds its elements); the meaning lives in the modules
that use them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from graphql import parse_type

from .links import FeatureUrl, Version
from .schema import MISSING, TypeRef, ref_from_ast

FEDERATION = "https://specs.apollo.dev/federation"
JOIN = "https://specs.apollo.dev/join"
LINK = "https://specs.apollo.dev/link"
TAG = "https://specs.apollo.dev/tag"
INACCESSIBLE = "https://specs.apollo.dev/inaccessible"
AUTHENTICATED = "https://specs.apollo.dev/authenticated"
REQUIRES_SCOPES = "https://specs.apollo.dev/requiresScopes"
POLICY = "https://specs.apollo.dev/policy"
CONTEXT = "https://specs.apollo.dev/context"
COST = "https://specs.apollo.dev/cost"
CACHE_TAG = "https://specs.apollo.dev/cacheTag"
CONNECT = "https://specs.apollo.dev/connect"

Strategy = Literal["MAX", "NULLABLE_MAX", "NULLABLE_UNION", "NULLABLE_AND", "DNF_CONJUNCTION"]


@dataclass(frozen=True)
class ArgSpec:
    name: str
    type: str  # SDL, with `{Name}` for a type of the same specification
    default: Any = MISSING
    strategy: Strategy | None = None

    def type_ref(self, type_name: Callable[[str], str]) -> TypeRef:
        sdl = self.type
        while "{" in sdl:
            start = sdl.index("{")
            end = sdl.index("}", start)
            sdl = sdl[:start] + type_name(sdl[start + 1 : end]) + sdl[end + 1 :]
        return ref_from_ast(parse_type(sdl))


@dataclass(frozen=True)
class DirectiveSpec:
    name: str
    locations: tuple[str, ...]
    args: tuple[ArgSpec, ...] = ()
    repeatable: bool = False
    composes: bool = False
    supergraph: Callable[[Version], FeatureSpec] | None = None  # the spec it composes into
    join_directive: bool = False  # carried by `@join__directive` in the supergraph
    context_names: bool = False  # `@context(name:)` is prefixed with the subgraph name when composed


@dataclass(frozen=True)
class TypeSpec:
    name: str
    values: tuple[tuple[str, str], ...] = ()  # for an enum: (value, description)

    @property
    def is_enum(self) -> bool:
        return bool(self.values)


@dataclass
class FeatureSpec:
    identity: str
    name: str
    version: Version
    minimum_federation: Version | None = None
    purpose: str | None = None
    types: list[TypeSpec] = field(default_factory=list)
    directives: list[DirectiveSpec] = field(default_factory=list)

    @property
    def url(self) -> FeatureUrl:
        return FeatureUrl(self.identity, self.name, self.version)

    def directive(self, name: str) -> DirectiveSpec | None:
        return next((d for d in self.directives if d.name == name), None)

    def element_names(self) -> list[str]:
        return [f"@{d.name}" for d in self.directives] + [t.name for t in self.types]

    def register(self, directive: DirectiveSpec) -> None:
        """Add a directive, or replace the one of that name where it stands (as a JavaScript Map)."""
        for i, existing in enumerate(self.directives):
            if existing.name == directive.name:
                self.directives[i] = directive
                return
        self.directives.append(directive)

    def register_sub_feature(self, other: FeatureSpec) -> None:
        for type_spec in other.types:
            if all(t.name != type_spec.name for t in self.types):
                self.types.append(type_spec)
        for directive in other.directives:
            self.register(directive)


class Versions:
    """The known versions of one specification, newest first."""

    def __init__(self, *specs: FeatureSpec) -> None:
        self.specs = sorted(specs, key=lambda s: s.version, reverse=True)

    def find(self, version: Version) -> FeatureSpec | None:
        return next((s for s in self.specs if s.version == version), None)

    def latest(self) -> FeatureSpec:
        return self.specs[0]

    def for_federation(self, federation: Version) -> FeatureSpec:
        """The lowest-risk version a supergraph of that federation version uses."""
        found = next(
            (s for s in self.specs if s.minimum_federation is None or federation >= s.minimum_federation), None
        )
        assert found is not None
        if found.version.major != self.latest().version.major:
            same_major = [s for s in self.specs if s.version.major == self.latest().version.major]
            return same_major[-1]
        return found


def v(major: int, minor: int) -> Version:
    return Version(major, minor)


# --- link and join -------------------------------------------------------------------------------

PURPOSES = (
    ("SECURITY", "`SECURITY` features provide metadata necessary to securely resolve fields."),
    ("EXECUTION", "`EXECUTION` features provide metadata necessary for operation execution."),
)
LINK_DIRECTIVE = DirectiveSpec(
    "link",
    ("SCHEMA",),
    (ArgSpec("url", "String"), ArgSpec("as", "String"), ArgSpec("for", "{Purpose}"), ArgSpec("import", "[{Import}]")),
    repeatable=True,
)
LINK_VERSIONS: Versions = Versions(
    FeatureSpec(
        LINK,
        "link",
        v(1, 0),
        v(2, 0),
        types=[TypeSpec("Purpose", PURPOSES), TypeSpec("Import")],
        directives=[LINK_DIRECTIVE],
    )
)


def join_spec(version: Version, minimum: Version | None) -> FeatureSpec:
    """The join spec is written out by the supergraph builder (`supergraph.add_join_spec`)."""
    return FeatureSpec(JOIN, "join", version, minimum, "EXECUTION")


JOIN_VERSIONS: Versions = Versions(
    join_spec(v(0, 1), None),
    join_spec(v(0, 2), None),
    join_spec(v(0, 3), v(2, 0)),
    join_spec(v(0, 4), v(2, 7)),
    join_spec(v(0, 5), v(2, 8)),
)

# --- specs that compose into the supergraph ------------------------------------------------------

TAG_LOCATIONS_V1 = ("FIELD_DEFINITION", "OBJECT", "INTERFACE", "UNION")
TAG_LOCATIONS_V2 = (
    *TAG_LOCATIONS_V1,
    "ARGUMENT_DEFINITION",
    "SCALAR",
    "ENUM",
    "ENUM_VALUE",
    "INPUT_OBJECT",
    "INPUT_FIELD_DEFINITION",
)


def _tag(version: Version, minimum: Version | None, locations: tuple[str, ...]) -> FeatureSpec:
    directive = DirectiveSpec(
        "tag",
        locations,
        (ArgSpec("name", "String!"),),
        repeatable=True,
        composes=True,
        supergraph=lambda fed: TAG_VERSIONS.for_federation(fed),
    )
    return FeatureSpec(TAG, "tag", version, minimum, directives=[directive])


TAG_VERSIONS: Versions = Versions(
    _tag(v(0, 1), None, TAG_LOCATIONS_V1),
    _tag(v(0, 2), None, TAG_LOCATIONS_V2),
    _tag(v(0, 3), v(2, 0), (*TAG_LOCATIONS_V2, "SCHEMA")),
)


def _inaccessible(version: Version, minimum: Version | None, locations: tuple[str, ...]) -> FeatureSpec:
    directive = DirectiveSpec(
        "inaccessible", locations, composes=True, supergraph=lambda fed: INACCESSIBLE_VERSIONS.for_federation(fed)
    )
    return FeatureSpec(INACCESSIBLE, "inaccessible", version, minimum, "SECURITY", directives=[directive])


INACCESSIBLE_VERSIONS: Versions = Versions(
    _inaccessible(v(0, 1), None, TAG_LOCATIONS_V1),
    _inaccessible(v(0, 2), v(2, 0), TAG_LOCATIONS_V2),
)

AUTH_LOCATIONS = ("FIELD_DEFINITION", "OBJECT", "INTERFACE", "SCALAR", "ENUM")
AUTHENTICATED_VERSIONS: Versions = Versions(
    FeatureSpec(
        AUTHENTICATED,
        "authenticated",
        v(0, 1),
        v(2, 5),
        "SECURITY",
        directives=[
            DirectiveSpec(
                "authenticated", AUTH_LOCATIONS, composes=True, supergraph=lambda fed: AUTHENTICATED_VERSIONS.latest()
            )
        ],
    )
)
REQUIRES_SCOPES_VERSIONS: Versions = Versions(
    FeatureSpec(
        REQUIRES_SCOPES,
        "requiresScopes",
        v(0, 1),
        None,
        "SECURITY",
        types=[TypeSpec("Scope")],
        directives=[
            DirectiveSpec(
                "requiresScopes",
                AUTH_LOCATIONS,
                (ArgSpec("scopes", "[[{Scope}!]!]!", strategy="DNF_CONJUNCTION"),),
                composes=True,
                supergraph=lambda fed: REQUIRES_SCOPES_VERSIONS.latest(),
            )
        ],
    )
)
POLICY_VERSIONS: Versions = Versions(
    FeatureSpec(
        POLICY,
        "policy",
        v(0, 1),
        None,
        "SECURITY",
        types=[TypeSpec("Policy")],
        directives=[
            DirectiveSpec(
                "policy",
                AUTH_LOCATIONS,
                (ArgSpec("policies", "[[{Policy}!]!]!", strategy="DNF_CONJUNCTION"),),
                composes=True,
                supergraph=lambda fed: POLICY_VERSIONS.latest(),
            )
        ],
    )
)
CONTEXT_VERSIONS: Versions = Versions(
    FeatureSpec(
        CONTEXT,
        "context",
        v(0, 1),
        None,
        "SECURITY",
        types=[TypeSpec("ContextFieldValue")],
        directives=[
            DirectiveSpec(
                "context",
                ("INTERFACE", "OBJECT", "UNION"),
                (ArgSpec("name", "String!"),),
                repeatable=True,
                composes=True,
                supergraph=lambda fed: CONTEXT_VERSIONS.for_federation(fed),
                context_names=True,
            ),
            DirectiveSpec("fromContext", ("ARGUMENT_DEFINITION",), (ArgSpec("field", "{ContextFieldValue}"),)),
        ],
    )
)
COST_VERSIONS: Versions = Versions(
    FeatureSpec(
        COST,
        "cost",
        v(0, 1),
        v(2, 9),
        directives=[
            DirectiveSpec(
                "cost",
                ("ARGUMENT_DEFINITION", "ENUM", "FIELD_DEFINITION", "INPUT_FIELD_DEFINITION", "OBJECT", "SCALAR"),
                (ArgSpec("weight", "Int!", strategy="MAX"),),
                composes=True,
                supergraph=lambda fed: COST_VERSIONS.for_federation(fed),
            ),
            DirectiveSpec(
                "listSize",
                ("FIELD_DEFINITION",),
                (
                    ArgSpec("assumedSize", "Int", strategy="NULLABLE_MAX"),
                    ArgSpec("slicingArguments", "[String!]", strategy="NULLABLE_UNION"),
                    ArgSpec("sizedFields", "[String!]", strategy="NULLABLE_UNION"),
                    ArgSpec("requireOneSlicingArgument", "Boolean", True, strategy="NULLABLE_AND"),
                ),
                composes=True,
                supergraph=lambda fed: COST_VERSIONS.for_federation(fed),
            ),
        ],
    )
)
CACHE_TAG_VERSIONS: Versions = Versions(FeatureSpec(CACHE_TAG, "cacheTag", v(0, 1), None, "EXECUTION"))

# --- federation ----------------------------------------------------------------------------------

FIELD_SET = TypeSpec("FieldSet")
FIELDS_ARG = ArgSpec("fields", "{FieldSet}!")
KEY = DirectiveSpec(
    "key", ("OBJECT", "INTERFACE"), (FIELDS_ARG, ArgSpec("resolvable", "Boolean", True)), repeatable=True
)
EXTENDS = DirectiveSpec("extends", ("OBJECT", "INTERFACE"))
EXTERNAL = DirectiveSpec("external", ("OBJECT", "FIELD_DEFINITION"), (ArgSpec("reason", "String"),))
REQUIRES = DirectiveSpec("requires", ("FIELD_DEFINITION",), (FIELDS_ARG,))
PROVIDES = DirectiveSpec("provides", ("FIELD_DEFINITION",), (FIELDS_ARG,))
FEDERATION1_DIRECTIVES = (KEY, REQUIRES, PROVIDES, EXTERNAL, TAG_VERSIONS.specs[1].directives[0], EXTENDS)


def federation_spec(version: Version) -> FeatureSpec:
    spec = FeatureSpec(FEDERATION, "federation", version, types=[FIELD_SET])
    for directive in FEDERATION1_DIRECTIVES:
        spec.register(directive)
    spec.register(DirectiveSpec("shareable", ("OBJECT", "FIELD_DEFINITION"), repeatable=version >= v(2, 2)))
    spec.register_sub_feature(INACCESSIBLE_VERSIONS.for_federation(version))
    override_args: tuple[ArgSpec, ...] = (ArgSpec("from", "String!"),)
    if version >= v(2, 7):
        override_args += (ArgSpec("label", "String"),)
    spec.register(DirectiveSpec("override", ("FIELD_DEFINITION",), override_args))
    if version >= v(2, 1):
        spec.register(DirectiveSpec("composeDirective", ("SCHEMA",), (ArgSpec("name", "String"),), repeatable=True))
    if version >= v(2, 3):
        spec.register(DirectiveSpec("interfaceObject", ("OBJECT",)))
        spec.register_sub_feature(TAG_VERSIONS.find(v(0, 3)) or TAG_VERSIONS.latest())
    if version >= v(2, 5):
        spec.register_sub_feature(AUTHENTICATED_VERSIONS.latest())
        spec.register_sub_feature(REQUIRES_SCOPES_VERSIONS.latest())
    if version >= v(2, 6):
        spec.register_sub_feature(POLICY_VERSIONS.latest())
    if version >= v(2, 8):
        spec.register_sub_feature(CONTEXT_VERSIONS.latest())
    if version >= v(2, 9):
        spec.register_sub_feature(COST_VERSIONS.latest())
    if version >= v(2, 12):
        spec.register(
            DirectiveSpec(
                "cacheTag",
                ("OBJECT", "FIELD_DEFINITION"),
                (ArgSpec("format", "String!"),),
                repeatable=True,
                composes=True,
                supergraph=lambda fed: CACHE_TAG_VERSIONS.for_federation(fed),
                join_directive=True,
            )
        )
    return spec


FEDERATION_VERSIONS: Versions = Versions(*(federation_spec(v(2, minor)) for minor in range(15)))
LATEST_FEDERATION = FEDERATION_VERSIONS.latest().version
AUTO_EXPANDED_FEDERATION = v(2, 4)  # what a federation 1 subgraph is upgraded to

KNOWN: dict[str, Versions] = {
    LINK: LINK_VERSIONS,
    JOIN: JOIN_VERSIONS,
    FEDERATION: FEDERATION_VERSIONS,
    TAG: TAG_VERSIONS,
    INACCESSIBLE: INACCESSIBLE_VERSIONS,
    AUTHENTICATED: AUTHENTICATED_VERSIONS,
    REQUIRES_SCOPES: REQUIRES_SCOPES_VERSIONS,
    POLICY: POLICY_VERSIONS,
    CONTEXT: CONTEXT_VERSIONS,
    COST: COST_VERSIONS,
    CACHE_TAG: CACHE_TAG_VERSIONS,
}


def known_spec(url: FeatureUrl) -> FeatureSpec | None:
    versions = KNOWN.get(url.identity)
    return versions.find(url.version) if versions else None
