// A map of the Netherlands drawn locally: one light dot per four-digit postcode area (PC4
// centroid) gives the country's shape; the matches and the search radius are drawn on top. No
// tile server, nothing loaded from elsewhere.

import { useMemo } from "react";

const KM_PER_DEGREE = 111.2;
const COS_LAT = Math.cos((52.2 * Math.PI) / 180); // keeps circles round at Dutch latitudes
const SCALE = 100; // SVG units per degree of latitude
const MARGIN = 8;

function projector(areas) {
  let minLon = Infinity;
  let maxLon = -Infinity;
  let minLat = Infinity;
  let maxLat = -Infinity;
  for (const [, lat, lon] of areas) {
    minLon = Math.min(minLon, lon);
    maxLon = Math.max(maxLon, lon);
    minLat = Math.min(minLat, lat);
    maxLat = Math.max(maxLat, lat);
  }
  const project = (lat, lon) => [
    MARGIN + (lon - minLon) * COS_LAT * SCALE,
    MARGIN + (maxLat - lat) * SCALE,
  ];
  const width = 2 * MARGIN + (maxLon - minLon) * COS_LAT * SCALE;
  const height = 2 * MARGIN + (maxLat - minLat) * SCALE;
  return { project, width, height };
}

export function NlMap({ areas, rows, gebied, selected, onSelect, places }) {
  const view = useMemo(() => (areas.length ? projector(areas) : null), [areas]);
  const land = useMemo(() => {
    if (!view) return "";
    // One path of tiny squares draws 4,000 areas far faster than 4,000 elements.
    return areas
      .map(([, lat, lon]) => {
        const [x, y] = view.project(lat, lon);
        return `M${x.toFixed(1)} ${y.toFixed(1)}h1.6v1.6h-1.6z`;
      })
      .join("");
  }, [areas, view]);
  if (!view) return <div className="vum-map vum-map-empty">Kaart wordt geladen…</div>;

  const centre = gebied ? places.get(gebied.postcode.slice(0, 4)) : null;
  const matches = new Map();
  for (const row of rows) {
    const place = row.pc4 ? places.get(row.pc4) : null;
    if (!place) continue;
    const key = row.pc4;
    if (!matches.has(key)) matches.set(key, { place, rows: [] });
    matches.get(key).rows.push(row);
  }
  return (
    <svg
      className="vum-map"
      viewBox={`0 0 ${view.width.toFixed(0)} ${view.height.toFixed(0)}`}
      role="img"
      aria-label="Kaart van Nederland met de gevonden matches"
    >
      <path className="vum-map-land" d={land} />
      {centre && gebied && (
        <g className="vum-map-area">
          <circle
            className="vum-map-radius"
            cx={view.project(centre.lat, centre.lon)[0]}
            cy={view.project(centre.lat, centre.lon)[1]}
            r={(gebied.afstand / KM_PER_DEGREE) * SCALE}
          >
            <title>{`Zoekgebied: ${gebied.afstand} km rond ${gebied.postcode} (${centre.plaats})`}</title>
          </circle>
          <circle
            className="vum-map-centre"
            cx={view.project(centre.lat, centre.lon)[0]}
            cy={view.project(centre.lat, centre.lon)[1]}
            r={2.5}
          />
        </g>
      )}
      {[...matches.entries()].map(([key, { place, rows: here }]) => {
        const [x, y] = view.project(place.lat, place.lon);
        const isSelected = here.some((r) => r.vumID === selected);
        return (
          <circle
            key={key}
            className={isSelected ? "vum-map-match vum-map-selected" : "vum-map-match"}
            cx={x}
            cy={y}
            r={here.length > 1 ? 4.5 : 3.5}
            data-pc4={key}
            onClick={() => onSelect(here[0])}
          >
            <title>{`${place.plaats} (${key}): ${here.length} ${here.length === 1 ? "match" : "matches"}`}</title>
          </circle>
        );
      })}
    </svg>
  );
}
