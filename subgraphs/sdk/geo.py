"""Distance between Dutch postcodes: great-circle distance between PC4 centroids.

The standard measures a `selectiegebied` from the centroid of the four-digit postcode area (PC4)
of its postcode to that of the record's postcode. The centroid table is a CSV file whose path is
configured (`pc4,lat,lon[,...]`, e.g. GeoNames postal data).
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius


class PostcodeTableError(ValueError):
    """The centroid table cannot be read or is malformed."""


@dataclass(frozen=True)
class Centroid:
    lat: float
    lon: float


def pc4(postcode: str) -> str:
    """The four-digit area of a postcode (`5611AB` -> `5611`)."""
    return postcode[:4]


def great_circle_km(a: Centroid, b: Centroid) -> float:
    """Haversine distance in kilometres."""
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlat = lat2 - lat1
    dlon = math.radians(b.lon - a.lon)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


class PostcodeTable:
    """PC4 centroids, with the areas within a radius computed once per search."""

    def __init__(self, centroids: dict[str, Centroid]) -> None:
        if not centroids:
            raise PostcodeTableError("the postcode table is empty")
        self.centroids = centroids

    @classmethod
    def from_csv(cls, path: Path) -> PostcodeTable:
        try:
            with path.open(encoding="utf-8", newline="") as handle:
                return cls(_read_centroids(csv.DictReader(handle), path))
        except OSError as error:
            raise PostcodeTableError(f"cannot read postcode table {path}: {error.strerror}") from error

    def __contains__(self, area: str) -> bool:
        return area in self.centroids

    def distance_km(self, postcode_a: str, postcode_b: str) -> float | None:
        """Distance between the PC4 centroids of two postcodes; None when one is unknown."""
        a = self.centroids.get(pc4(postcode_a))
        b = self.centroids.get(pc4(postcode_b))
        if a is None or b is None:
            return None
        return great_circle_km(a, b)

    def areas_within(self, postcode: str, radius_km: float) -> frozenset[str]:
        """Every PC4 area whose centroid lies within `radius_km` of the postcode's centroid."""
        centre = self.centroids.get(pc4(postcode))
        if centre is None:
            return frozenset()
        return frozenset(area for area, point in self.centroids.items() if great_circle_km(centre, point) <= radius_km)


def _read_centroids(rows: csv.DictReader[str], path: Path) -> dict[str, Centroid]:
    missing = {"pc4", "lat", "lon"} - set(rows.fieldnames or ())
    if missing:
        raise PostcodeTableError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
    centroids: dict[str, Centroid] = {}
    for line, row in enumerate(rows, start=2):
        area = (row["pc4"] or "").strip()
        if len(area) != 4 or not area.isdigit():
            raise PostcodeTableError(f"{path}:{line}: pc4 {area!r} is not four digits")
        try:
            centroids[area] = Centroid(float(row["lat"]), float(row["lon"]))
        except (TypeError, ValueError) as error:
            raise PostcodeTableError(f"{path}:{line}: lat/lon are not numbers") from error
    return centroids
