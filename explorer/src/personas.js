// Ready-made searches of the VUM personas (Henk, Jessica, Anja, Mehmet). Each names the demo role
// it runs as; in demo mode choosing one also picks that role's headers.

import anjaHenk from "./queries/anja-henk.graphql";
import jessicaSoortWerk from "./queries/jessica-soort-werk.graphql";
import mehmetCompetentie from "./queries/mehmet-competentie.graphql";

export const PERSONAS = [
  {
    id: "anja-henk",
    title: "Anja zoekt werk voor Henk",
    role: "Anja",
    summary:
      "Anja, klantmanager bij de gemeente Eindhoven, zoekt bij alle aangesloten organisaties tegelijk " +
      "vacatures die bij Henk passen: vanuit Veldhoven, hooguit 25 km, 16 tot 24 uur per week, " +
      "bereikbaar met het openbaar vervoer.",
    query: anjaHenk,
  },
  {
    id: "jessica-soort-werk",
    title: "Jessica: leerbaan of vrijwilligerswerk",
    role: "Anja",
    summary:
      "Jessica wil eerst beginnen met een leerbaan of vrijwilligerswerk, ook verder van Oirschot. " +
      "Anja, haar klantmanager, zoekt vacatures op soort werk binnen 50 km.",
    query: jessicaSoortWerk,
  },
  {
    id: "mehmet-competentie",
    title: "Mehmet zoekt nauwkeurige kandidaten",
    role: "Mehmet",
    summary:
      "Mehmet, directeur van een confectiebedrijf, zoekt kandidaten rond Eindhoven die nauwkeurig " +
      "werken, ook zonder diploma. Als werkgever ziet hij alleen wat werkzoekenden met hem delen.",
    query: mehmetCompetentie,
  },
];

for (const persona of PERSONAS) persona.operationName = /query\s+(\w+)/.exec(persona.query)[1];

// The demo preset whose name starts with the persona's role word, if there is one.
export function presetFor(persona, presetNames) {
  return presetNames.find((name) => name.startsWith(persona.role)) ?? null;
}
