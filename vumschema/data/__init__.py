"""Public reference data shipped with the package (sources and licences in NOTICE).

`POSTCODES`: the centroid of every Dutch four-digit postcode area (GeoNames, CC BY 4.0), for the
selectiegebied's distance. `BEROEPEN`: UWV's BO&C occupation list 24.1, for occupation labels.
"""

from pathlib import Path

HERE = Path(__file__).resolve().parent
POSTCODES = HERE / "nl-pc4-centroids.csv"
BEROEPEN = HERE / "boc-beroepen-24.1.csv"

__all__ = ["BEROEPEN", "POSTCODES"]
