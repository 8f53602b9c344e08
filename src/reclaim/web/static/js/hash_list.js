// How a page shows the chosen files' hashes: one list item per file, with every hash that would
// leave her device (PDQ and its quality, or vPDQ's frames; SHA-256; MD5). Shared by the web app's
// protect page and the offline page, which inlines it after the hashing modules. ``text(key,
// values)`` gives the page's words in its language.

import { MIN_GOOD_QUALITY } from "./pdq.js";

export function hashListItem(result, text) {
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
  if (result.pdq && result.pdq.quality < MIN_GOOD_QUALITY) {
    const warning = document.createElement("p");
    warning.className = "warning";
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
    code.className = "frame";
    code.textContent = `${frame.timestamp.toFixed(3)} s  ${frame.hash}  (${frame.quality})`;
    item.append(code);
    items.append(item);
  }
  box.append(summary, items);
  return box;
}
