// The web app's "Protect my photos" page: hash the chosen files here, show the hashes, and post
// only them (JSON, with the page's CSRF token) to /protect. The files are read by the File API
// and never sent: the file input has no name and belongs to no form.

import { hashFiles } from "./hashing.js";

const TEXTS = JSON.parse(document.getElementById("protect-texts").textContent);
const CSRF_TOKEN = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"] || "";

const input = document.getElementById("files");
const status = document.getElementById("status");
const list = document.getElementById("results");
const sendButton = document.getElementById("send");
const outcome = document.getElementById("outcome");
let results = [];
let busy = false;

function text(key, values = {}) {
  return TEXTS[key].replace(/\{(\w+)\}/g, (_, name) => String(values[name]));
}

function attestation() {
  return document.querySelector('input[name="attestation"]:checked')?.value ?? null;
}

function updateButton() {
  sendButton.disabled = busy || !results.some((r) => r.kind) || attestation() === null;
  // What is still missing, said only while something is.
  document.getElementById("send-needs").hidden = busy || !sendButton.disabled;
}

function resultItem(result) {
  const item = document.createElement("li");
  const number = result.index + 1;
  if (!result.kind) {
    item.textContent = text(result.error === "not-media" ? "not_media" : "cannot_decode", { number });
    return item;
  }
  const heading = document.createElement("strong");
  heading.textContent = text(result.kind === "image" ? "photo" : "video", { number });
  const details = document.createElement("dl");
  if (result.pdq) {
    addHash(details, "PDQ", result.pdq.hash, "pdq");
    addHash(details, "", text("quality", { quality: result.pdq.quality }));
  } else {
    addHash(details, "vPDQ", text("frames", { count: result.vpdq.frames.length }));
  }
  addHash(details, "SHA-256", result.sha256, "sha256");
  addHash(details, "MD5", result.md5, "md5");
  item.append(heading, details);
  if (result.pdq && result.pdq.quality < TEXTS.min_good_quality) {
    const warning = document.createElement("p");
    warning.className = "warn";
    warning.textContent = text("low_quality", { quality: result.pdq.quality });
    item.append(warning);
  }
  if (result.vpdq) item.append(frameList(result.vpdq.frames));
  return item;
}

function addHash(details, label, value, kind) {
  const term = document.createElement("dt");
  term.textContent = label;
  const description = document.createElement("dd");
  const code = document.createElement(kind ? "code" : "span");
  if (kind) code.className = kind;
  code.textContent = value;
  description.append(code);
  details.append(term, description);
}

function frameList(frames) {
  const box = document.createElement("details");
  const summary = document.createElement("summary");
  summary.textContent = text("show_frames");
  const items = document.createElement("ol");
  for (const frame of frames) {
    const item = document.createElement("li");
    const code = document.createElement("code");
    code.textContent = `${frame.timestamp.toFixed(3)} s  ${frame.hash}  (${frame.quality})`;
    item.append(code);
    items.append(item);
  }
  box.append(summary, items);
  return box;
}

/** Reclaim JSON lines records (bank/formats/jsonl.py), as the offline page saves them. */
function hashRecords(hashed) {
  const record = (signal_type, value, quality = null) => ({ signal_type, value, quality, status: "active" });
  const records = [];
  for (const result of hashed) {
    if (!result.kind) continue;
    if (result.pdq) records.push(record("pdq", result.pdq.hash, result.pdq.quality));
    if (result.vpdq && result.vpdq.frames.length) records.push(record("vpdq", JSON.parse(result.vpdq.signal)));
    records.push(record("sha256", result.sha256), record("md5", result.md5));
  }
  return records;
}

input.addEventListener("change", async () => {
  const files = Array.from(input.files);
  results = [];
  list.replaceChildren();
  outcome.replaceChildren();
  if (!files.length) {
    status.textContent = text("nothing_yet");
    updateButton();
    return;
  }
  busy = true;
  updateButton();
  results = await hashFiles(files, {
    onProgress: (p) => {
      if (p.stage === "done") return;
      status.textContent =
        p.stage === "frames" && p.total
          ? text("working_video", { number: p.index + 1, count: p.count, frame: p.done, frames: p.total })
          : text("working", { number: p.index + 1, count: p.count });
    },
    onResult: (result) => list.append(resultItem(result)),
  });
  busy = false;
  status.textContent = text("finished", { count: results.filter((r) => r.kind).length });
  updateButton();
});

for (const radio of document.querySelectorAll('input[name="attestation"]')) radio.addEventListener("change", updateButton);

sendButton.addEventListener("click", async () => {
  if (sendButton.disabled) return;
  busy = true;
  updateButton();
  outcome.textContent = text("sending");
  try {
    const response = await fetch("/protect", {
      method: "POST",
      credentials: "same-origin",
      // HX-Request: an error answers as a piece of page (page_route.error_page), shown here.
      headers: { "Content-Type": "application/json", "X-CSRF-Token": CSRF_TOKEN, "HX-Request": "true" },
      body: JSON.stringify({ attestation: attestation(), records: hashRecords(results) }),
    });
    const answer = await response.text();
    // Our own server's page piece, autoescaped by its templates.
    outcome.innerHTML = response.headers.get("content-type")?.startsWith("text/html") ? answer : "";
    if (!outcome.textContent.trim()) outcome.textContent = text("send_failed");
  } catch {
    outcome.textContent = text("send_failed");
  }
  busy = false;
  updateButton();
});

updateButton();
