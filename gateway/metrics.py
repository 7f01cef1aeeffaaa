"""Prometheus metrics (`/metrics`): requests, source answers and security events. No personal data."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram

REGISTRY = CollectorRegistry()

REQUESTS = Counter("vum_requests_total", "GraphQL requests by outcome", ["outcome"], registry=REGISTRY)
SOURCE_ANSWERS = Counter(
    "vum_source_answers_total", "Source answers to searches by status", ["bron", "status"], registry=REGISTRY
)
SOURCE_SECONDS = Histogram("vum_source_seconds", "Time a source took to answer a search", ["bron"], registry=REGISTRY)
SECURITY_EVENTS = Counter(
    "vum_security_events_total",
    "Data a source sent outside the job seeker's consent or the caller's rights (stripped by the gateway)",
    ["bron", "soort"],
    registry=REGISTRY,
)
DISCLOSURES = Counter("vum_disclosures_total", "Profiles disclosed (and logged), by kind", ["soort"], registry=REGISTRY)
PLANNING_WORK = Counter(
    "vum_planning_work_total",
    "Work of checking and planning documents, counted: selections measured against the limits, fields "
    "gathered, fragment bodies walked and selection sets merged (it grows linearly with the documents)",
    ["kind"],
    registry=REGISTRY,
)
REFUSED_OPERATIONS = Counter(
    "vum_refused_operations_total",
    "Operations refused before planning or executing, by code",
    ["code"],
    registry=REGISTRY,
)
SCHEMA_CHECKS = Counter(
    "vum_schema_checks_total",
    "Subgraph SDLs read by schema checks: compared with the contract, or unchanged (the kept verdict)",
    ["result"],
    registry=REGISTRY,
)
