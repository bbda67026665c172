"""The labelling page's HTML and JavaScript: a thin client of ``alfunc.session.page``'s JSON API.

The page keeps no state of its own: it shows what ``GET /api/next`` returns,
sends each answer to ``POST /api/answer`` and shows the next record it gets
back, and reads the progress line from ``GET /api/progress`` and the plot
from ``GET /api/curve.svg``. Record text goes in with ``textContent`` (never
as HTML).
"""

PAGE_HTML = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>alfunc label</title>
<style>
  body { font-family: system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
  #progress { color: #555; font-size: 0.95rem; }
  #record { border: 1px solid #ccc; border-radius: 6px; padding: 1rem 1.2rem; margin: 1rem 0; min-height: 4rem;
            white-space: pre-wrap; font-size: 1.1rem; }
  #record img { max-width: 100%; max-height: 60vh; }
  #record table { border-collapse: collapse; white-space: normal; }
  #record td { padding: 0.15rem 0.8rem 0.15rem 0; vertical-align: top; }
  #record td.name { color: #666; }
  #buttons button { font-size: 1rem; margin: 0 0.4rem 0.4rem 0; padding: 0.4rem 0.8rem; cursor: pointer; }
  #buttons kbd, #help kbd { background: #eee; border-radius: 3px; padding: 0 0.3rem; font-size: 0.85em; }
  #error { color: #b00020; min-height: 1.2rem; }
  #help { color: #666; font-size: 0.9rem; }
</style>
</head>
<body>
<h1 id="title">alfunc label</h1>
<p id="progress">loading...</p>
<div id="record" data-id="" data-state="loading"></div>
<div id="buttons"></div>
<p id="error" role="alert"></p>
<p id="help">Keys: <kbd>1</kbd>..<kbd>9</kbd> or a class's first letter to label,
  <kbd>s</kbd> skip (never ask again), <kbd>u</kbd> unsure (ask later).</p>
<img id="curve" alt="learning curve: estimated accuracy against labels" src="/api/curve.svg">
<script>
"use strict";
let current = null;   // the record shown: exactly what the server said is pending
let keys = {};
let busy = false;

function element(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (cls) node.className = cls;
  return node;
}

function show(next) {
  const box = document.getElementById("record");
  const buttons = document.getElementById("buttons");
  box.replaceChildren();
  buttons.replaceChildren();
  keys = next.shortcuts || {};
  if (next.title) { document.title = next.title + " - alfunc label"; document.getElementById("title").textContent = next.title; }
  current = next.record;
  if (!current) {
    box.textContent = "Nothing left to ask: every record is labelled, skipped or waiting as unsure.";
    box.dataset.id = "";
    box.dataset.state = "done";
    return;
  }
  if (current.kind === "image") {
    const img = element("img");
    img.src = current.image;
    img.alt = "record " + current.id;
    box.appendChild(img);
  } else if (current.kind === "fields") {
    const table = element("table");
    for (const [name, value] of current.fields) {
      const row = element("tr");
      row.appendChild(element("td", name, "name"));
      row.appendChild(element("td", value === null ? "" : String(value)));
      table.appendChild(row);
    }
    box.appendChild(table);
  } else {
    box.textContent = current.text;
  }
  const byLabel = new Map();
  for (const [key, label] of Object.entries(keys)) {
    const name = JSON.stringify(label);
    if (!byLabel.has(name)) byLabel.set(name, []);
    byLabel.get(name).push(key);
  }
  for (const label of next.classes) {
    const button = element("button", String(label) + " ");
    button.dataset.label = JSON.stringify(label);
    for (const key of byLabel.get(JSON.stringify(label)) || []) button.appendChild(element("kbd", key));
    button.addEventListener("click", () => answer({label: label}));
    buttons.appendChild(button);
  }
  const skip = element("button", "skip ");
  skip.appendChild(element("kbd", "s"));
  skip.id = "skip";
  skip.addEventListener("click", () => answer({skip: true}));
  const unsure = element("button", "unsure ");
  unsure.appendChild(element("kbd", "u"));
  unsure.id = "unsure";
  unsure.addEventListener("click", () => answer({unsure: true}));
  buttons.append(skip, unsure);
  box.dataset.id = JSON.stringify(current.id);
  box.dataset.state = "ready";
}

async function call(path, body) {
  const response = await fetch(path, body === undefined ? {} : {
    method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
  const data = await response.json();
  if (!response.ok) throw new Error(data.error || response.statusText);
  return data;
}

async function progress() {
  try {
    const p = await call("/api/progress");
    document.getElementById("progress").textContent =
      `labelled ${p.labeled} / asked ${p.asked} / pool ${p.pool} · skipped ${p.skipped}, unsure ${p.unsure} · ` +
      `estimated accuracy ${p.accuracy_text} (cross-validation on the labels so far, ${p.fits} fits)`;
    document.getElementById("progress").dataset.labeled = p.labeled;
    document.getElementById("curve").src = "/api/curve.svg?labels=" + p.labeled + "&fits=" + p.fits;
  } catch (error) {
    document.getElementById("error").textContent = error.message;
  }
}

async function answer(choice) {
  if (!current || busy) return;
  busy = true;
  document.getElementById("record").dataset.state = "sending";
  try {
    const next = await call("/api/answer", Object.assign({id: current.id}, choice));
    document.getElementById("error").textContent = "";
    show(next);
    progress();
  } catch (error) {
    document.getElementById("error").textContent = error.message;
    document.getElementById("record").dataset.state = "ready";
  } finally {
    busy = false;
  }
}

async function load() {
  try {
    show(await call("/api/next"));
    progress();
  } catch (error) {
    document.getElementById("error").textContent = error.message;
  }
}

document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const key = event.key.toLowerCase();
  if (key === "s") answer({skip: true});
  else if (key === "u") answer({unsure: true});
  else if (Object.prototype.hasOwnProperty.call(keys, key)) answer({label: keys[key]});
});

load();
</script>
</body>
</html>
"""
