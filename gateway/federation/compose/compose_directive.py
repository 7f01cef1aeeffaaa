"""`@composeDirective(name: "@hello")`: a custom directive, linked from its own spec, kept in the
supergraph (with that spec's `@link`) instead of being dropped like other type system directives."""

from __future__ import annotations

from typing import Any

from .errors import CompositionError, CompositionHint, subgraph_list
from .links import CoreFeature, FeatureUrl
from .schema import DirectiveDefinition
from .subgraph import Subgraph
from .suggestions import did_you_mean, suggestion_list

ERROR = "DIRECTIVE_COMPOSITION_ERROR"
DISALLOWED = (
    "https://specs.apollo.dev/core",
    "https://specs.apollo.dev/join",
    "https://specs.apollo.dev/link",
    "https://specs.apollo.dev/tag",
    "https://specs.apollo.dev/inaccessible",
    "https://specs.apollo.dev/federation",
    "https://specs.apollo.dev/authenticated",
    "https://specs.apollo.dev/requiresScopes",
    "https://specs.apollo.dev/source",
    "https://specs.apollo.dev/context",
    "https://specs.apollo.dev/cost",
)
COMPOSED_BY_DEFAULT = ("tag", "inaccessible", "authenticated", "requiresScopes", "policy", "context")


class ComposedDirectives:
    def __init__(self, subgraphs: list[Subgraph], errors: list[CompositionError], hints: list[CompositionHint]) -> None:
        self.subgraphs = subgraphs
        self.errors = errors
        self.hints = hints
        self.by_subgraph: dict[str, set[str]] = {}
        self.latest: dict[str, tuple[CoreFeature, list[str]]] = {}  # identity -> (feature, subgraph names)
        self.identity_of: dict[str, tuple[str, str]] = {}  # name in supergraph -> (identity, name in spec)

    def _error(self, message: str) -> None:
        self.errors.append(CompositionError(ERROR, message))

    def validate(self) -> None:
        items: list[dict[str, Any]] = []
        for subgraph in self.subgraphs:
            if subgraph.directive_name("composeDirective") is None:
                continue
            for application in subgraph.applications("composeDirective"):
                item = self._item(subgraph, application.args.get("name"))
                if item is not None:
                    items.append(item)
        wont_merge_features: set[str] = set()
        wont_merge_names: set[str] = set()
        identities = []
        for subgraph in self.subgraphs:
            for feature in subgraph.features.all() if subgraph.features else []:
                if feature.url.identity not in identities:
                    identities.append(feature.url.identity)
        for identity in identities:
            used = [
                s.name
                for s in self.subgraphs
                if any(i["subgraph"] == s.name and i["identity"] == identity for i in items)
            ]
            latest = self._latest_if_compatible(identity, used)
            if latest is None:
                wont_merge_features.add(identity)
            else:
                self.latest[identity] = latest
        by_name: dict[str, list[dict[str, Any]]] = {}
        for item in items:
            by_name.setdefault(item["as"], []).append(item)
        for name, named in by_name.items():
            if len({i["name"] for i in named}) > 1:
                wont_merge_names.add(name)
                self._error(f'Composed directive "@{name}" does not refer to the same directive in every subgraph')
            if len({i["identity"] for i in named}) > 1:
                wont_merge_names.add(name)
                self._error(f'Composed directive "@{name}" is not linked by the same core feature in every subgraph')
        by_original: dict[str, list[dict[str, Any]]] = {}
        for item in items:
            by_original.setdefault(item["name"], []).append(item)
        for named in by_original.values():
            if len({i["as"] for i in named}) > 1:
                for item in named:
                    wont_merge_names.add(item["as"])
                self._error("Composed directive is not named consistently in all subgraphs")
        for item in items:
            names = self.by_subgraph.setdefault(item["subgraph"], set())
            if item["identity"] not in wont_merge_features and item["as"] not in wont_merge_names:
                names.add(item["as"])
            self.identity_of[item["as"]] = (item["identity"], item["name"])

    def _item(self, subgraph: Subgraph, argument: Any) -> dict[str, Any] | None:
        if not argument:
            self._error(
                f'Argument to @composeDirective in subgraph "{subgraph.name}" cannot be NULL or an empty String'
            )
            return None
        if not str(argument).startswith("@"):
            self._error(
                f'Argument to @composeDirective "{argument}" in subgraph "{subgraph.name}" must have a leading "@"'
            )
            return None
        name = str(argument)[1:]
        definition = subgraph.schema.directive(name)
        if definition is None or definition.built_in:
            words = suggestion_list(f"@{name}", [f"@{d}" for d in subgraph.schema.directive_definitions])
            self._error(
                f'Could not find matching directive definition for argument to @composeDirective "@{name}" in '
                f'subgraph "{subgraph.name}".{did_you_mean(words)}'
            )
            return None
        source = subgraph.features.source_feature(name, True) if subgraph.features else None
        if source is None:
            self._error(
                f'Directive "@{name}" in subgraph "{subgraph.name}" cannot be composed because it is not a member of '
                "a core feature"
            )
            return None
        identity = source.feature.url.identity
        if source.name_in_feature is None:
            self._error(
                f'Directive "@{name}" in subgraph "{subgraph.name}" cannot be composed because it is imported to a '
                "different name"
            )
            return None
        if identity in DISALLOWED:
            if source.name_in_feature in COMPOSED_BY_DEFAULT:
                self.hints.append(
                    CompositionHint(
                        "DIRECTIVE_COMPOSITION_INFO",
                        f'Directive "@{name}" should not be explicitly manually composed since it is a federation '
                        "directive composed by default",
                    )
                )
            else:
                self._error(
                    f'Composing federation directive "{argument}" in subgraph "{subgraph.name}" is not supported'
                )
            return None
        for builtin in ("tag", "inaccessible"):
            if name in [s.directive_name(builtin) for s in self.subgraphs]:
                conflicting = [s.name for s in self.subgraphs if s.directive_name(builtin) == name]
                self._error(
                    f'Directive "@{name}" in subgraph "{subgraph.name}" cannot be composed because it conflicts with '
                    f'automatically composed federation directive "@{builtin}". Conflict exists in subgraph(s): '
                    f"({','.join(conflicting)})"
                )
                return None
        return {"subgraph": subgraph.name, "identity": identity, "name": source.name_in_feature, "as": name}

    def _latest_if_compatible(self, identity: str, used: list[str]) -> tuple[CoreFeature, list[str]] | None:
        pairs = []
        for subgraph in self.subgraphs:
            feature = subgraph.features.get(identity) if subgraph.features else None
            if feature is not None:
                pairs.append((feature, subgraph.name in used, subgraph.name))
        latest: tuple[CoreFeature, bool, str] | None = None
        hinted = False
        for pair in pairs:
            if latest is None:
                latest = pair
                continue
            if latest[0].url.version.major != pair[0].url.version.major:
                if latest[1] and pair[1]:
                    self._error(
                        f'Core feature "{identity}" requested to be merged has major version mismatch across subgraphs'
                    )
                    return None
                if not hinted:
                    self.hints.append(
                        CompositionHint(
                            "DIRECTIVE_COMPOSITION_INFO",
                            f'Non-composed core feature "{identity}" has major version mismatch across subgraphs',
                        )
                    )
                    hinted = True
                latest = latest if latest[1] else pair
                continue
            if latest[1] and not pair[1]:
                continue
            if not latest[1] and pair[1]:
                latest = pair
                continue
            latest = latest if latest[0].url.version.minor > pair[0].url.version.minor else pair
        if latest is None or not latest[1]:
            return None
        names = [name for feature, _, name in pairs if feature.url.version == latest[0].url.version]
        return latest[0], list(reversed(names))

    def should_compose(self, subgraph: str, directive: str) -> bool:
        return directive in self.by_subgraph.get(subgraph, set())

    def exists_in_supergraph(self, name: str) -> bool:
        return name in self.identity_of

    def latest_definition(self, name: str) -> DirectiveDefinition | None:
        identity, original = self.identity_of[name]
        entry = self.latest.get(identity)
        if entry is None:
            return None
        feature, names = entry
        for subgraph_name in names:
            subgraph = next(s for s in self.subgraphs if s.name == subgraph_name)
            in_schema = subgraph.features.get(identity) if subgraph.features else None
            if in_schema is not None:
                found = subgraph.schema.directive(in_schema.directive_name_in_schema(original))
                if found is not None:
                    return found
        plural = len(names) != 1
        self._error(
            f'Core feature "{identity}/{feature.url.version}" in {subgraph_list(names)} {"do" if plural else "does"} '
            f'not have a directive definition for "@{name}"'
        )
        return None

    def all_composed_features(self) -> list[tuple[FeatureUrl, list[tuple[str, str]]]]:
        features = []
        for identity, (feature, _) in self.latest.items():
            if identity in DISALLOWED:
                continue
            directives: dict[str, str] = {}
            for name, (other, original) in self.identity_of.items():
                if other == identity and name not in directives:
                    directives[name] = original
            features.append((feature.url, list(directives.items())))
        return features
