"""`@link`: which specifications a schema links, under which names their elements appear.

A subgraph links the federation spec (`@link(url: "https://specs.apollo.dev/federation/v2.3",
import: ["@key"])`): imported elements keep their name (or take the `as` name), the others are
prefixed (`@federation__requires`). A supergraph links `link`, `join` and the specs it composes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import total_ordering
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from .errors import Code, CompositionError, CompositionFailed
from .suggestions import did_you_mean, suggestion_list
from .values import value_to_string

LINK_IDENTITY = "https://specs.apollo.dev/link"
CORE_IDENTITY = "https://specs.apollo.dev/core"
VERSION = re.compile(r"^v(\d+)\.(\d+)$")
IMPORT_NAME = re.compile(r"^@?[_A-Za-z][_0-9A-Za-z]*$")
ALIAS = re.compile(r"^[_A-Za-z][_0-9A-Za-z.-]*$")


def link_error(message: str) -> CompositionFailed:
    return CompositionFailed([CompositionError(Code.INVALID_LINK_DIRECTIVE_USAGE, message)])


@total_ordering
@dataclass(frozen=True)
class Version:
    major: int
    minor: int

    @classmethod
    def parse(cls, text: str) -> Version:
        match = VERSION.match(text)
        if match is None:
            raise CompositionFailed(
                [
                    CompositionError(
                        Code.INVALID_LINK_IDENTIFIER, f"Expected a version string (of the form v1.2), got {text}"
                    )
                ]
            )
        return cls(int(match.group(1)), int(match.group(2)))

    def __str__(self) -> str:
        return f"v{self.major}.{self.minor}"

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return (self.major, self.minor) < (other.major, other.minor)

    def satisfies(self, required: Version) -> bool:
        """Same major version, at least the required minor (exactly it for 0.x)."""
        if required.major != self.major:
            return False
        return required.minor == self.minor if self.major == 0 else required.minor <= self.minor


@dataclass(frozen=True)
class FeatureUrl:
    identity: str
    name: str
    version: Version

    @classmethod
    def parse(cls, url: str) -> FeatureUrl:
        def invalid(message: str) -> CompositionFailed:
            return CompositionFailed([CompositionError(Code.INVALID_LINK_IDENTIFIER, message)])

        parts = urlsplit(url)
        if not parts.scheme or not parts.netloc:
            raise invalid(f"Invalid URL: {url}")
        if not parts.path or parts.path == "/":
            raise invalid(f"Missing path in feature url '{url}'")
        path = parts.path.split("/")
        version_text = path.pop()
        if not version_text:
            raise invalid(f"Missing version component in feature url '{url}'")
        version = Version.parse(version_text)
        name = path[-1] if path else ""
        if not name:
            raise invalid(f"Missing feature name component in feature url '{url}'")
        identity = urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], "/".join(path), "", ""))
        return cls(identity, name, version)

    @classmethod
    def maybe_parse(cls, url: Any) -> FeatureUrl | None:
        if not isinstance(url, str):
            return None
        try:
            return cls.parse(url)
        except CompositionFailed:
            return None

    def __str__(self) -> str:
        return f"{self.identity}/{self.version}"


@dataclass(frozen=True)
class Import:
    name: str  # as in the spec, `@key` or `FieldSet`
    alias: str | None = None  # the `as` name

    @property
    def in_schema(self) -> str:
        return self.alias or self.name


@dataclass(eq=False)
class CoreFeature:
    url: FeatureUrl
    name_in_schema: str
    imports: list[Import] = field(default_factory=list)
    purpose: str | None = None
    directive: Any = None  # the applied @link

    def directive_name_in_schema(self, name: str) -> str:
        for element in self.imports:
            if element.name == "@" + name:
                return (element.alias or element.name)[1:]
        if name == self.url.name:
            return self.name_in_schema
        return f"{self.name_in_schema}__{name}"

    def type_name_in_schema(self, name: str) -> str:
        for element in self.imports:
            if element.name == name:
                return element.alias or element.name
        return f"{self.name_in_schema}__{name}"

    def is_feature_element(self, name: str, is_directive: bool) -> bool:
        imported = ("@" + name) if is_directive else name
        return (
            name.startswith(self.name_in_schema + "__")
            or (is_directive and name == self.name_in_schema)
            or any(imported == i.in_schema for i in self.imports)
        )


@dataclass(frozen=True)
class SourceFeature:
    feature: CoreFeature
    name_in_feature: str | None  # None: the default name is shadowed by an import under another name
    imported: bool


class CoreFeatures:
    """The features a schema links, in the order linked."""

    def __init__(self, core_itself: CoreFeature) -> None:
        self.core_itself = core_itself
        self.by_identity: dict[str, CoreFeature] = {}
        self.by_alias: dict[str, CoreFeature] = {}
        self.by_import_name: dict[str, tuple[CoreFeature, str]] = {}
        self.add(core_itself)

    def get(self, identity: str) -> CoreFeature | None:
        return self.by_identity.get(identity)

    def all(self) -> list[CoreFeature]:
        return list(self.by_identity.values())

    def add(self, feature: CoreFeature) -> None:
        identity = feature.url.identity
        if identity in self.by_identity:
            raise link_error(f'Cannot link feature "{identity}" since it has already been linked in the schema.')
        alias = feature.name_in_schema
        federation_default = alias in ("federation__tag", "federation__inaccessible") and not feature.imports
        if "__" in alias and not federation_default:
            raise link_error(
                f'Cannot link feature "{identity}" as "{alias}" since it contains "__". '
                'Please rename to a compliant name via "as".'
            )
        if alias.endswith("_"):
            raise link_error(
                f'Cannot link feature "{identity}" as "{alias}" since it ends in "_". '
                'Please rename to a compliant name via "as".'
            )
        if not ALIAS.match(alias):
            raise link_error(
                f'Cannot link feature "{identity}" as "{alias}" since it is not a valid GraphQL name. '
                'Please rename to a compliant name via "as".'
            )
        existing = self.by_alias.get(alias)
        if existing is not None:
            raise link_error(
                f'Cannot link feature {identity} as "{alias}" since another feature "{existing.url.identity}" '
                'already uses that alias. Please rename the feature to avoid conflicts via "as".'
            )
        for element in feature.imports:
            entry = self.by_import_name.get(element.in_schema)
            if entry is not None and entry[0].url.identity != identity:
                shown = f'"{element.name}" as "{element.in_schema}"' if element.alias else f'"{element.name}"'
                raise link_error(
                    f'Cannot import {shown} from feature "{identity}" since it was previously imported from '
                    f'feature "{entry[0].url.identity}". Please rename the import to avoid conflicts via "as".'
                )
            self.by_import_name[element.in_schema] = (feature, element.name)
        self.by_alias[alias] = feature
        self.by_identity[identity] = feature

    def source_feature(self, name: str, is_directive: bool) -> SourceFeature | None:
        """Which feature an element of the schema belongs to, and its name in that feature."""
        import_name = "@" + name if is_directive else name
        entry = self.by_import_name.get(import_name)
        if entry is not None:
            feature, in_spec = entry
            return SourceFeature(feature, in_spec[1:] if is_directive else in_spec, True)
        default = self._source_default_name(name, is_directive)
        if default is None:
            return None
        feature, name_in_spec = default
        import_in_spec = "@" + name_in_spec if is_directive else name_in_spec
        shadowed = any(i.name == import_in_spec for i in feature.imports)
        return SourceFeature(feature, None if shadowed else name_in_spec, False)

    def _source_default_name(self, name: str, is_directive: bool) -> tuple[CoreFeature, str] | None:
        prefix, separator, rest = name.partition("__")
        if separator and prefix in self.by_alias:
            return self.by_alias[prefix], rest
        if is_directive and name in self.by_alias:
            feature = self.by_alias[name]
            return feature, feature.url.name
        return None


def extract_imports(args: dict[str, Any], known_elements: list[str] | None) -> list[Import]:
    """The `import:` argument of a `@link`, validated."""
    value = args.get("import")
    if not value:
        return []
    if not isinstance(value, list):
        value = [value]
    errors: list[CompositionError] = []
    imports: list[Import] = []

    def fail(message: str) -> None:
        errors.append(CompositionError(Code.INVALID_LINK_DIRECTIVE_USAGE, message))

    for element in value:
        if isinstance(element, str):
            imports.append(Import(element))
            _check_known(element, known_elements, fail)
            continue
        if not isinstance(element, dict):
            fail(
                f"Invalid sub-value {value_to_string(element)} for @link(import:) argument: values should be either "
                'strings or input object values of the form { name: "<importedElement>", as: "<alias>" }.'
            )
            continue
        name, alias = element.get("name"), element.get("as")
        unknown = [key for key in element if key not in ("name", "as")]
        if unknown:
            fail(f'Unknown field "{unknown[0]}" for sub-value {value_to_string(element)} of @link(import:) argument.')
            continue
        if not isinstance(name, str):
            fail(
                f"Invalid sub-value {value_to_string(element)} for @link(import:) argument: "
                'missing mandatory "name" field.'
            )
            continue
        if not IMPORT_NAME.match(name) or (
            alias is not None and (not isinstance(alias, str) or not IMPORT_NAME.match(alias))
        ):
            fail(
                f"Invalid value for sub-value {value_to_string(element)} of @link(import:) argument: "
                "must use a GraphQL name."
            )
            continue
        if alias is not None and name.startswith("@") != alias.startswith("@"):
            if name.startswith("@"):
                fail(
                    f"Invalid @link import renaming: directive \"{name}\" imported name should start with a '@' "
                    f'character, but got "{alias}".'
                )
            else:
                fail(
                    f"Invalid @link import renaming: type \"{name}\" imported name should not start with a '@' "
                    f'character, but got "{alias}" (or, if @{name} is a directive, then it should be referred to '
                    "with a '@')."
                )
            continue
        imports.append(Import(name, alias))
        _check_known(name, known_elements, fail)
    if errors:
        raise CompositionFailed(errors)
    return imports


def _check_known(name: str, known: list[str] | None, fail: Any) -> None:
    if known is None or name in known:
        return
    if not name.startswith("@") and "@" + name in known:
        details = f' Did you mean directive "@{name}"?'
    else:
        details = did_you_mean(suggestion_list(name, known))
    fail(f'Cannot import unknown element "{name}".{details}')
