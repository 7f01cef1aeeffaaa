// Builds the explorer into the gateway's package data (gateway/http/explorer/static/), so that
// `pip install` alone gives a working explorer with no Node and no network. The output is
// reproducible: the same lock file and sources give the same bytes (tests/test_explorer_bundle.py
// rebuilds it and compares). Fonts and images that the CSS carries inline become files, so the
// page's Content-Security-Policy can allow nothing but 'self'.
//
// Usage: npm ci && npm run build

import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const out = process.argv[2] ?? join(here, "..", "gateway", "http", "explorer", "static");

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const result = await esbuild.build({
  entryPoints: { explorer: join(here, "src", "main.jsx") },
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020"],
  jsx: "automatic",
  loader: { ".graphql": "text" },
  define: { "process.env.NODE_ENV": '"production"' },
  legalComments: "none",
  charset: "utf8",
  sourcemap: false,
  metafile: true,
  write: false,
  outdir: out,
  logLevel: "warning",
});

const MEDIA = { "font/woff2": "woff2", "font/woff": "woff", "image/svg+xml": "svg", "image/png": "png" };

// `url(data:font/woff2;base64,...)` -> `url(assets/<hash>.woff2)`, the file written beside it.
function externaliseDataUrls(css) {
  mkdirSync(join(out, "assets"), { recursive: true });
  return css.replace(/url\((["']?)data:([a-z0-9+/.-]+)(;base64)?,([^"')]*)\1\)/gi, (match, quote, media, base64, data) => {
    const extension = MEDIA[media.toLowerCase()];
    if (!extension) throw new Error(`unexpected inline ${media} in the CSS: add it to MEDIA`);
    const bytes = base64 ? Buffer.from(data, "base64") : Buffer.from(decodeURIComponent(data), "utf8");
    const name = `${createHash("sha256").update(bytes).digest("hex").slice(0, 16)}.${extension}`;
    writeFileSync(join(out, "assets", name), bytes);
    return `url(assets/${name})`;
  });
}

// The licence of every npm package whose code is in the bundle (MIT and the like ask for it).
function licences(metafile) {
  const packages = new Map();
  for (const input of Object.keys(metafile.inputs)) {
    const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (match) packages.set(match[1], true);
  }
  const entries = [...packages.keys()].map((dir) => {
    const manifest = JSON.parse(readFileSync(join(here, dir, "package.json"), "utf8"));
    const file = readdirSync(join(here, dir)).find((name) => /^(licen[cs]e|copying)(\..*)?$/i.test(name));
    const text = file ? readFileSync(join(here, dir, file), "utf8").trim() : `License: ${manifest.license}`;
    return { id: `${manifest.name}@${manifest.version}`, license: manifest.license, text };
  });
  entries.sort((a, b) => (a.id < b.id ? -1 : 1));
  const header = "Third-party software in the VUM explorer bundle (explorer.js, explorer.css):\n\n";
  const index = entries.map((e) => `  ${e.id}  ${e.license}`).join("\n");
  const texts = entries.map((e) => `${"=".repeat(78)}\n${e.id} (${e.license})\n\n${e.text}\n`).join("\n");
  return `${header}${index}\n\n${texts}`;
}

for (const file of result.outputFiles) {
  const text = file.path.endsWith(".css") ? externaliseDataUrls(file.text) : file.text;
  writeFileSync(file.path, text);
}
copyFileSync(join(here, "src", "favicon.svg"), join(out, "favicon.svg"));
writeFileSync(join(out, "THIRD-PARTY-LICENSES.txt"), licences(result.metafile));
const files = readdirSync(out, { recursive: true }).sort();
console.log(`explorer built into ${out}: ${files.join(", ")}`);
