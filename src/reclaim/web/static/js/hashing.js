// Hash the files a person chooses, inside the browser: SHA-256, MD5, and PDQ or vPDQ.
//
// Nothing here sends anything anywhere: files are read with the File API, digested with
// WebCrypto (SHA-256) and the MD5 below, and decoded by the browser's own image and video
// decoders. Callers decide what to do with the hashes (show them, save them, submit them).
//
// Usage:
//   import { hashFiles } from "./hashing.js";
//   const results = await hashFiles(input.files, { onProgress: (p) => console.log(p) });
//   // [{ index, kind: "image", sha256, md5, pdq: { hash, quality } }, ...]
//   // [{ index, kind: "video", sha256, md5, vpdq: { frames, signal } }, ...]
//   // [{ index, kind: null, error: "not-media" }, ...]
// Results carry no file name: a name can say who is in a photo, and hashes need none.

import { pdqOfImageFile } from "./pdq.js";
import { vpdqOfVideoFile, toSignalString } from "./vpdq.js";

/**
 * Hash each file in turn; a file that fails gives an `error` entry, not an exception.
 * @param {FileList|File[]} files
 * @param {{onProgress?: (progress: {index: number, count: number, stage: string, fraction: number,
 *                                    done?: number, total?: number}) => void,
 *          onResult?: (result: object) => void}} [options]
 * @returns {Promise<object[]>}
 */
export async function hashFiles(files, options = {}) {
  const list = Array.from(files);
  const results = [];
  for (const [index, file] of list.entries()) {
    // stage: reading, digests, pdq, frames (with done/total video frames), done.
    const progress = (stage, fraction, frames = {}) =>
      options.onProgress?.({ index, count: list.length, stage, fraction, ...frames });
    let result;
    try {
      result = { index, ...(await hashFile(file, progress)) };
    } catch (error) {
      result = { index, kind: null, error: errorCode(error) };
    }
    progress("done", 1);
    options.onResult?.(result);
    results.push(result);
  }
  return results;
}

/**
 * SHA-256, MD5 and the perceptual hash of one file.
 * @param {File} file
 * @param {(stage: string, fraction: number, frames?: {done: number, total: number}) => void} [progress]
 */
export async function hashFile(file, progress = () => {}) {
  progress("reading", 0);
  const bytes = new Uint8Array(await file.arrayBuffer());
  const kind = mediaKind(file.type, bytes);
  if (!kind) return { kind: null, error: "not-media" };
  progress("digests", 0);
  const sha256 = await sha256Hex(bytes);
  const md5 = md5Hex(bytes);
  if (kind === "image") {
    progress("pdq", 0);
    const { hash, quality } = await pdqOfImageFile(file);
    return { kind, sha256, md5, pdq: { hash, quality } };
  }
  const frames = await vpdqOfVideoFile(file, {
    bytes,
    onFrame: (done, total) => progress("frames", total ? done / total : 0, { done, total }),
  });
  return { kind, sha256, md5, vpdq: { frames, signal: toSignalString(frames) } };
}

function errorCode(error) {
  // Codes, not English: the page words them in the reader's language.
  if (error && typeof error.code === "string") return error.code;
  return error && error.name === "EncodingError" ? "cannot-decode" : "failed";
}

/** "image", "video" or null, from the browser's type for the file, else its first bytes. */
export function mediaKind(type, bytes) {
  if (type.startsWith("image/")) return "image";
  if (type.startsWith("video/")) return "video";
  const head = (offset, text) => [...text].every((c, i) => bytes[offset + i] === c.charCodeAt(0));
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "image"; // JPEG
  if (head(1, "PNG") || head(0, "GIF8") || (head(0, "RIFF") && head(8, "WEBP")) || head(0, "BM")) return "image";
  if (head(4, "ftyp")) return ["heic", "heix", "mif1", "avif"].some((brand) => head(8, brand)) ? "image" : "video";
  if (bytes[0] === 0x1a && bytes[1] === 0x45 && bytes[2] === 0xdf && bytes[3] === 0xa3) return "video"; // WebM
  return null;
}

/** SHA-256 as 64 hex digits, by WebCrypto (present in secure contexts: https, localhost, file). */
export async function sha256Hex(bytes) {
  if (!globalThis.crypto?.subtle) throw Object.assign(new Error("no WebCrypto here"), { code: "no-webcrypto" });
  return toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)));
}

function toHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// ---------------------------------------------------------------------------------------------
// MD5 (RFC 1321). WebCrypto has none (it is broken as a cryptographic hash), but hash lists
// exchanged by helplines and platforms still carry MD5 for exact copies, so we write the 60
// lines here rather than pull in a library. Checked against Python's hashlib in the tests.

const MD5_SHIFTS = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
// K[i] = floor(abs(sin(i + 1)) * 2^32), as the RFC defines them.
const MD5_K = Int32Array.from({ length: 64 }, (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) | 0);

/** MD5 of bytes as 32 hex digits. */
export function md5Hex(bytes) {
  const state = Int32Array.of(0x67452301, 0xefcdab89 | 0, 0x98badcfe | 0, 0x10325476);
  const words = new Int32Array(16);
  const fullBlocks = Math.floor(bytes.length / 64);
  for (let block = 0; block < fullBlocks; block++) md5Block(state, words, bytes, block * 64);
  // Padding: 0x80, zeros, then the length in bits as a 64-bit little-endian number.
  const rest = bytes.length - fullBlocks * 64;
  const tail = new Uint8Array(rest < 56 ? 64 : 128);
  tail.set(bytes.subarray(fullBlocks * 64));
  tail[rest] = 0x80;
  const bits = bytes.length * 8;
  const view = new DataView(tail.buffer);
  view.setUint32(tail.length - 8, bits >>> 0, true);
  view.setUint32(tail.length - 4, Math.floor(bits / 2 ** 32), true);
  for (let offset = 0; offset < tail.length; offset += 64) md5Block(state, words, tail, offset);
  const digest = new Uint8Array(16);
  new DataView(digest.buffer).setInt32(0, state[0], true);
  new DataView(digest.buffer).setInt32(4, state[1], true);
  new DataView(digest.buffer).setInt32(8, state[2], true);
  new DataView(digest.buffer).setInt32(12, state[3], true);
  return toHex(digest);
}

function md5Block(state, words, bytes, offset) {
  for (let i = 0; i < 16; i++) {
    const at = offset + i * 4;
    words[i] = bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24);
  }
  let [a, b, c, d] = state;
  for (let i = 0; i < 64; i++) {
    let f;
    let g;
    if (i < 16) {
      f = (b & c) | (~b & d);
      g = i;
    } else if (i < 32) {
      f = (d & b) | (~d & c);
      g = (5 * i + 1) % 16;
    } else if (i < 48) {
      f = b ^ c ^ d;
      g = (3 * i + 5) % 16;
    } else {
      f = c ^ (b | ~d);
      g = (7 * i) % 16;
    }
    const shift = MD5_SHIFTS[(i >> 4) * 4 + (i % 4)];
    const sum = (a + f + MD5_K[i] + words[g]) | 0;
    a = d;
    d = c;
    c = b;
    b = (b + ((sum << shift) | (sum >>> (32 - shift)))) | 0;
  }
  state[0] = (state[0] + a) | 0;
  state[1] = (state[1] + b) | 0;
  state[2] = (state[2] + c) | 0;
  state[3] = (state[3] + d) | 0;
}
