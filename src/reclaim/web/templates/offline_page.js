// The offline page's behaviour (reclaim export-page). Inlined after pdq.js, vpdq.js and
// hashing.js in one module, so hashFiles and friends are in scope. It only reads the chosen
// files, shows their hashes and saves them as a Reclaim JSON lines file (bank/formats/jsonl.py)
// through a Blob URL; it never sends anything.

const TEXTS = JSON.parse(document.getElementById("texts").textContent);
const LANGUAGES = Object.keys(TEXTS); // Chinese first
let lang = LANGUAGES[0];
let results = [];
let status = { key: "nothing_yet", values: {} };
let saved = null;

const input = document.getElementById("files");
const list = document.getElementById("results");
const saveButton = document.getElementById("save");

function text(key, values = {}) {
  return TEXTS[lang][key].replace(/\{(\w+)\}/g, (_, name) => String(values[name]));
}

function show() {
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  for (const element of document.querySelectorAll("[data-text]")) element.textContent = text(element.dataset.text);
  document.getElementById("switch-language").textContent = TEXTS[otherLanguage()].language_name;
  document.getElementById("status").textContent = text(status.key, status.values);
  document.getElementById("saved").textContent = saved ? text("saved", { file: saved }) : "";
  showResults();
  saveButton.disabled = !canSave();
}

function otherLanguage() {
  return LANGUAGES[(LANGUAGES.indexOf(lang) + 1) % LANGUAGES.length];
}

function showResults() {
  list.replaceChildren(...results.map((result) => hashListItem(result, text)));
}


function attestation() {
  return document.querySelector('input[name="attestation"]:checked')?.value ?? null;
}

function canSave() {
  return results.some((r) => r.kind) && attestation() !== null;
}

/** One Reclaim JSON lines record per hash, as `reclaim protect` of her own files would add. */
export function hashRecords(hashed, attestedAs, now = new Date()) {
  const submittedAt = now.toISOString().replace(/\.\d{3}Z$/, "Z");
  const record = (signal_type, value, quality = null) => ({
    signal_type,
    value,
    quality,
    status: "active",
    entry_id: null,
    submitted_at: submittedAt,
    updated_at: null,
    attestation: attestedAs,
    source: "own-file",
  });
  const records = [];
  for (const result of hashed) {
    if (!result.kind) continue;
    if (result.pdq) records.push(record("pdq", result.pdq.hash, result.pdq.quality));
    if (result.vpdq && result.vpdq.frames.length) records.push(record("vpdq", JSON.parse(result.vpdq.signal)));
    records.push(record("sha256", result.sha256), record("md5", result.md5));
  }
  return records;
}

function save() {
  if (!canSave()) return;
  const lines = hashRecords(results, attestation()).map((r) => JSON.stringify(r) + "\n");
  // The name holds the date only: her photos' names could say who is in them.
  const name = `reclaim-hashes-${new Date().toISOString().slice(0, 10)}.jsonl`;
  const url = URL.createObjectURL(new Blob(lines, { type: "application/x-ndjson" }));
  const link = Object.assign(document.createElement("a"), { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  saved = name;
  show();
}

input.addEventListener("change", async () => {
  const files = Array.from(input.files);
  results = [];
  saved = null;
  if (!files.length) {
    status = { key: "nothing_yet", values: {} };
    show();
    return;
  }
  const count = files.length;
  await hashFiles(files, {
    onProgress: ({ index, stage, done, total }) => {
      status =
        stage === "frames"
          ? { key: "working_video", values: { number: index + 1, count, frame: done, frames: total } }
          : { key: "working", values: { number: index + 1, count } };
      document.getElementById("status").textContent = text(status.key, status.values);
    },
    onResult: (result) => {
      results.push(result);
      show();
    },
  });
  status = { key: "finished", values: { count: results.filter((r) => r.kind).length } };
  document.body.dataset.hashed = String(results.length);
  show();
});

document.getElementById("switch-language").addEventListener("click", () => {
  lang = otherLanguage();
  show();
});
for (const radio of document.querySelectorAll('input[name="attestation"]')) radio.addEventListener("change", show);
saveButton.addEventListener("click", save);
show();
