// Entry point: reads the page's configuration (written by the gateway) and starts the explorer.

import "graphiql/graphiql.css";
import "@graphiql/plugin-explorer/dist/style.css";
import "./explorer.css";

import { setNonce } from "get-nonce";
import { createRoot } from "react-dom/client";
import { App } from "./App.jsx";

const element = document.getElementById("vum-config");
const root = document.getElementById("explorer");
try {
  const config = JSON.parse(element ? element.textContent : "null");
  // Dialogs and menus add <style> elements; the page's Content-Security-Policy admits them by nonce.
  if (config.styleNonce) setNonce(config.styleNonce);
  createRoot(root).render(<App config={config} />);
} catch (error) {
  root.textContent = `De verkenner kon niet starten: ${error}`;
}
