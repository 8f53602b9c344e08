// The web app's "Protect my photos" page: hash the chosen files here, show the hashes, and post
// only them (JSON, with the page's CSRF token) to /protect. The files are read by the File API
// and never sent: the file input has no name and belongs to no form.

import { hashFiles } from "./hashing.js";
import { hashListItem } from "./hash_list.js";

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
    onResult: (result) => list.append(hashListItem(result, text)),
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
// Listening now: files chosen before this line would have gone unnoticed (tests wait for it).
input.dataset.ready = "true";
