// The matches of the last search as a person reads them: a map, a list, the sources' status,
// and the detail of the match that was clicked.

import { Detail, words } from "./Detail.jsx";
import { NlMap } from "./NlMap.jsx";

const STATUS = {
  OK: "antwoordde",
  TIMEOUT: "te laat",
  ERROR: "fout",
  UNSUPPORTED_CRITERION: "kan een criterium niet beantwoorden",
};

function occupationText(row) {
  if (!row.occupations.length) return null;
  return row.occupations
    .map((o) => o.label ?? `onbekend beroep (${o.code ? o.code.split(/[/:#]/).pop() : "?"})`)
    .join(", ");
}

function Sources({ bronnen }) {
  if (!bronnen.length) return null;
  return (
    <ul className="vum-sources" aria-label="Bronnen">
      {bronnen.map((b) => (
        <li key={b.bronID} className={`vum-status-${String(b.status).toLowerCase()}`} title={b.melding ?? ""}>
          <strong>{b.naam ?? b.bronID}</strong>: {STATUS[b.status] ?? b.status}
          {b.aantal != null && ` · ${b.aantal}`}
          {b.duurMs != null && ` · ${Math.round(b.duurMs)} ms`}
          {b.melding && <span className="vum-muted"> · {b.melding}</span>}
        </li>
      ))}
    </ul>
  );
}

function MatchList({ search, places, organisation, selected, onSelect }) {
  if (!search.asked.edges) return <p className="vum-hint">Vink <code>edges › node</code> aan om de matches te zien.</p>;
  if (!search.rows.length) return <p className="vum-hint">Geen matches.</p>;
  return (
    <ol className="vum-matches" aria-label="Matches">
      {search.rows.map((row, index) => {
        const place = row.pc4 ? places.get(row.pc4) : null;
        return (
          <li key={row.vumID ?? index} className={row.vumID === selected ? "vum-selected" : undefined}>
            <button type="button" className="vum-match" onClick={() => onSelect(row)} disabled={!row.vumID}>
              <span className="vum-match-title">
                {row.title ?? occupationText(row) ?? <span className="vum-empty">beroep niet gevraagd</span>}
              </span>
              {row.title && occupationText(row) && <span className="vum-match-line">{occupationText(row)}</span>}
              <span className="vum-match-line">
                <span>
                  <span className="vum-label">plaats</span> {place ? `${place.plaats} (${row.pc4})` : row.postcode ?? "niet gevraagd"}
                </span>
                <span>
                  <span className="vum-label">uren per week</span> {row.hours ?? "niet gevraagd"}
                </span>
                <span>
                  <span className="vum-label">rijbewijs</span> {row.licences === null ? "niet gevraagd" : row.licences.length ? row.licences.join(", ") : "geen"}
                </span>
              </span>
              <span className="vum-match-line vum-muted">Bij {organisation(row.bronID)}</span>
            </button>
          </li>
        );
      })}
    </ol>
  );
}

export function ResultsPanel({ search, areas, places, selected, onSelect, ask }) {
  if (!search) {
    return (
      <aside className="vum-results" aria-label="Resultaten">
        <h2>Resultaten</h2>
        <p className="vum-hint">
          Kies links een kant-en-klare zoekvraag, of stel er een samen in de verkenner (vink velden aan en vul de
          selectievraag in) en druk op ▶. De matches verschijnen hier als lijst en op de kaart.
        </p>
        <NlMap areas={areas} rows={[]} gebied={null} selected={null} onSelect={() => {}} places={places} />
      </aside>
    );
  }
  const organisation = (bronID) => (search.bronnen.find((b) => b.bronID === bronID) ?? {}).naam ?? bronID ?? "?";
  const row = selected ? search.rows.find((r) => r.vumID === selected) : null;
  return (
    <aside className="vum-results" aria-label="Resultaten">
      <h2>
        {search.kind === "vacature" ? "Vacatures" : "Werkzoekenden"}
        {search.totalCount != null && (
          <span className="vum-count">
            {" "}
            · {search.totalCount} gevonden
            {search.rows.length < search.totalCount && `, ${search.rows.length} op deze pagina`}
          </span>
        )}
      </h2>
      {search.errors.map((e, i) => (
        <p key={i} className="vum-error">
          {e.message} {e.extensions && e.extensions.code ? `(${e.extensions.code})` : ""}
        </p>
      ))}
      {search.gebied && (
        <p className="vum-muted">
          Zoekgebied: {search.gebied.afstand} km rond {search.gebied.postcode}
          {places.get(search.gebied.postcode.slice(0, 4)) ? ` (${places.get(search.gebied.postcode.slice(0, 4)).plaats})` : ""}
        </p>
      )}
      <NlMap areas={areas} rows={search.rows} gebied={search.gebied} selected={selected} onSelect={onSelect} places={places} />
      {search.asked.bronnen ? (
        <Sources bronnen={search.bronnen} />
      ) : (
        <p className="vum-hint">Vink <code>bronnen</code> aan om te zien welke organisaties antwoordden.</p>
      )}
      {row ? (
        <Detail row={row} ask={ask} organisation={organisation(row.bronID)} onClose={() => onSelect(null)} />
      ) : (
        <MatchList search={search} places={places} organisation={organisation} selected={selected} onSelect={onSelect} />
      )}
    </aside>
  );
}

export { words };
