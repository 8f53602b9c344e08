// PDQ, Meta's 256-bit perceptual image hash, computed inside the browser.
//
// This follows the reference (ThreatExchange pdq/cpp: downscaling.cpp, pdqhashing.cpp) step by
// step, in float32 where it uses float, so that on the same pixels it gives the same bits as
// Reclaim's Python PDQ (reclaim.signals.pdq) and Meta's C++ pdqhash:
//   luma (BT.601 weights as float) -> Jarosz filter (box filters of the reference's window
//   sizes, two passes per axis) -> 64x64 decimation -> 16x16 DCT (DC left out) -> bits above
//   the median; quality from the summed gradients of the 64x64 grid.
// Every float operation of the reference is one float32 rounding here: a Float32Array store or
// Math.fround. One double operation rounded to float32 equals the float32 operation for + - * /,
// so the arithmetic is exact to the reference, not merely close.
//
// No dependencies and no build step. The module exports; a page that inlines it (the offline
// page) concatenates it with the other modules and drops their `import` lines, so every import
// here stays on one line of the form `import { ... } from "./x.js";`.

const GRID = 64;
const DCT_SIZE = 16;
const HASH_BITS = 256;
// The reference hashes nothing smaller: quality 0 and an all-zero hash.
const MIN_HASHABLE_SIDE = 5;
export const MIN_GOOD_QUALITY = 50;

// float products of the reference's float coefficients with each byte value, so that the luma
// loop does one table read per channel instead of a multiply and a rounding.
const LUMA_R = lumaTable(0.299);
const LUMA_G = lumaTable(0.587);
const LUMA_B = lumaTable(0.114);

function lumaTable(coefficient) {
  const table = new Float32Array(256);
  const weight = Math.fround(coefficient);
  for (let value = 0; value < 256; value++) table[value] = weight * value;
  return table;
}

// The reference's 16x64 DCT matrix: computed in double, stored as float.
const DCT = (() => {
  const matrix = new Float32Array(DCT_SIZE * GRID);
  const scale = Math.sqrt(2.0 / GRID);
  for (let i = 0; i < DCT_SIZE; i++) {
    for (let j = 0; j < GRID; j++) {
      matrix[i * GRID + j] = scale * Math.cos((Math.PI / 2 / GRID) * (i + 1) * (2 * j + 1));
    }
  }
  return matrix;
})();

// Two full-size float buffers, kept between calls: a 12-megapixel photo needs 48 MB each, and
// allocating them for every photo would cost more than hashing it.
let bufferA = new Float32Array(0);
let bufferB = new Float32Array(0);
let columnSums = new Float32Array(0);

function buffers(pixels, width) {
  if (bufferA.length < pixels) {
    bufferA = new Float32Array(pixels);
    bufferB = new Float32Array(pixels);
  }
  if (columnSums.length < width) columnSums = new Float32Array(width);
  return [bufferA, bufferB];
}

/** The reference's box width along an axis of `length` pixels (computeJaroszFilterWindowSize). */
export function jaroszWindow(length) {
  return Math.floor((length + 2 * GRID - 1) / (2 * GRID));
}

/**
 * PDQ of RGBA pixels, as a canvas's getImageData gives them (alpha is ignored, as Pillow's
 * RGBA-to-RGB conversion ignores it).
 * @param {Uint8ClampedArray|Uint8Array} rgba width*height*4 bytes, row by row
 * @returns {{hash: string, quality: number}} 64 hex digits in the reference's order, and 0-100
 */
export function pdqFromRgba(rgba, width, height) {
  if (rgba.length < width * height * 4) throw new RangeError("pdqFromRgba: fewer bytes than width*height*4");
  if (width < MIN_HASHABLE_SIDE || height < MIN_HASHABLE_SIDE) return { hash: "0".repeat(64), quality: 0 };
  const [luma, scratch] = buffers(width * height, width);
  fillLuma(rgba, width * height, luma);
  return pdqFromLumaBuffers(luma, scratch, width, height);
}

/** PDQ of a luma image (width*height floats, 0-255); `luma` is used as scratch space. */
export function pdqFromLuma(luma, width, height) {
  if (width < MIN_HASHABLE_SIDE || height < MIN_HASHABLE_SIDE) return { hash: "0".repeat(64), quality: 0 };
  const [, scratch] = buffers(width * height, width);
  return pdqFromLumaBuffers(luma, scratch, width, height);
}

function fillLuma(rgba, pixels, luma) {
  for (let p = 0, q = 0; p < pixels; p++, q += 4) {
    // (R + G) + B, each sum rounded to float, as the reference's expression evaluates.
    luma[p] = Math.fround(LUMA_R[rgba[q]] + LUMA_G[rgba[q + 1]]) + LUMA_B[rgba[q + 2]];
  }
}

function pdqFromLumaBuffers(luma, scratch, width, height) {
  const grid = jaroszGrid(luma, scratch, width, height);
  const quality = gridQuality(grid);
  return { hash: hashOfGrid(grid), quality };
}

/**
 * The reference's Jarosz filter (rows, columns, rows, columns) and 64x64 decimation.
 * The last column pass runs only over the 64 columns the decimation reads: the other columns
 * of its output are never looked at, and each column is filtered on its own.
 */
export function jaroszGrid(luma, scratch, width, height) {
  const alongRows = jaroszWindow(width);
  const alongColumns = jaroszWindow(height);
  const sampleRows = samplePositions(height);
  const sampleColumns = samplePositions(width);
  boxAlongRows(luma, scratch, width, height, alongRows);
  boxAlongColumns(scratch, luma, width, height, alongColumns);
  boxAlongRows(luma, scratch, width, height, alongRows);
  for (const column of sampleColumns) boxOneAxis(scratch, luma, column, height, width, alongColumns);
  const grid = new Float32Array(GRID * GRID);
  for (let i = 0; i < GRID; i++) {
    for (let j = 0; j < GRID; j++) grid[i * GRID + j] = luma[sampleRows[i] * width + sampleColumns[j]];
  }
  return grid;
}

function samplePositions(length) {
  const positions = new Int32Array(GRID);
  for (let i = 0; i < GRID; i++) positions[i] = Math.floor(((i + 0.5) * length) / GRID);
  return positions;
}

function boxAlongRows(input, output, width, height, window) {
  for (let row = 0; row < height; row++) boxOneAxis(input, output, row * width, width, 1, window);
}

/**
 * The reference's box1DFloat: a running float sum over a window clipped at both ends, divided by
 * the number of pixels it holds. Four phases: fill, grow, slide, shrink.
 */
function boxOneAxis(input, output, start, length, stride, window) {
  const half = Math.floor((window + 2) / 2);
  const phase1 = half - 1;
  const phase2 = window - half + 1;
  const phase3 = length - window;
  const phase4 = half - 1;
  let left = start;
  let right = start;
  let out = start;
  let sum = 0;
  let count = 0;
  for (let i = 0; i < phase1; i++, right += stride) {
    sum = Math.fround(sum + input[right]);
    count++;
  }
  for (let i = 0; i < phase2; i++, right += stride, out += stride) {
    sum = Math.fround(sum + input[right]);
    count++;
    output[out] = sum / count;
  }
  for (let i = 0; i < phase3; i++, left += stride, right += stride, out += stride) {
    sum = Math.fround(sum + input[right]);
    sum = Math.fround(sum - input[left]);
    output[out] = sum / count;
  }
  for (let i = 0; i < phase4; i++, left += stride, out += stride) {
    sum = Math.fround(sum - input[left]);
    count--;
    output[out] = sum / count;
  }
}

/**
 * boxOneAxis down every column at once, row by row: the same additions in the same order per
 * column (one float sum each, in `columnSums`), but reading memory in order, which is several
 * times faster than striding down a 4000-pixel-wide image one column at a time.
 */
function boxAlongColumns(input, output, width, height, window) {
  const half = Math.floor((window + 2) / 2);
  const phase1 = half - 1;
  const phase2 = window - half + 1;
  const phase3 = height - window;
  const phase4 = half - 1;
  const sums = columnSums;
  sums.fill(0, 0, width);
  let left = 0;
  let right = 0;
  let out = 0;
  let count = 0;
  for (let i = 0; i < phase1; i++, right += width) {
    for (let j = 0; j < width; j++) sums[j] += input[right + j];
    count++;
  }
  for (let i = 0; i < phase2; i++, right += width, out += width) {
    count++;
    for (let j = 0; j < width; j++) {
      // Not `(sums[j] += x) / count`: an assignment's value is the double before the float32 store.
      const sum = Math.fround(sums[j] + input[right + j]);
      sums[j] = sum;
      output[out + j] = sum / count;
    }
  }
  for (let i = 0; i < phase3; i++, left += width, right += width, out += width) {
    for (let j = 0; j < width; j++) {
      const sum = Math.fround(Math.fround(sums[j] + input[right + j]) - input[left + j]);
      sums[j] = sum;
      output[out + j] = sum / count;
    }
  }
  for (let i = 0; i < phase4; i++, left += width, out += width) {
    count--;
    for (let j = 0; j < width; j++) {
      const sum = Math.fround(sums[j] - input[left + j]);
      sums[j] = sum;
      output[out + j] = sum / count;
    }
  }
}

/** The reference's quality: gradients in whole percent steps, summed, over 90, at most 100. */
export function gridQuality(grid) {
  let total = 0;
  for (let i = 0; i < GRID - 1; i++) {
    for (let j = 0; j < GRID; j++) total += Math.abs(percentStep(grid[i * GRID + j], grid[(i + 1) * GRID + j]));
  }
  for (let i = 0; i < GRID; i++) {
    for (let j = 0; j < GRID - 1; j++) total += Math.abs(percentStep(grid[i * GRID + j], grid[i * GRID + j + 1]));
  }
  return Math.min(Math.floor(total / 90), 100);
}

function percentStep(u, v) {
  // int d = ((u - v) * 100) / 255; in float, truncated toward zero.
  return Math.trunc(Math.fround(Math.fround(Math.fround(u - v) * 100) / 255));
}

/** The 16x16 DCT of the grid, bits above the median, as 64 hex digits (bit 255 first). */
export function hashOfGrid(grid) {
  const partial = new Float32Array(DCT_SIZE * GRID);
  for (let i = 0; i < DCT_SIZE; i++) {
    for (let j = 0; j < GRID; j++) {
      let sum = 0;
      for (let k = 0; k < GRID; k++) sum = Math.fround(sum + Math.fround(DCT[i * GRID + k] * grid[k * GRID + j]));
      partial[i * GRID + j] = sum;
    }
  }
  const coefficients = new Float32Array(DCT_SIZE * DCT_SIZE);
  for (let i = 0; i < DCT_SIZE; i++) {
    for (let j = 0; j < DCT_SIZE; j++) {
      let sum = 0;
      for (let k = 0; k < GRID; k++) sum = Math.fround(sum + Math.fround(partial[i * GRID + k] * DCT[j * GRID + k]));
      coefficients[i * DCT_SIZE + j] = sum;
    }
  }
  // The reference's Torben median is the 128th smallest; "above it" sets exactly the bits that
  // "above the mean of the middle two" sets in the Python version.
  const median = Float32Array.from(coefficients).sort()[HASH_BITS / 2 - 1];
  let hex = "";
  for (let nibble = HASH_BITS / 4 - 1; nibble >= 0; nibble--) {
    let value = 0;
    for (let bit = 3; bit >= 0; bit--) value = (value << 1) | (coefficients[nibble * 4 + bit] > median ? 1 : 0);
    hex += value.toString(16);
  }
  return hex;
}

/** Bits that differ between two 64-hex PDQ hashes. */
export function hammingDistance(left, right) {
  let distance = 0;
  for (let i = 0; i < 64; i += 8) {
    let x = (parseInt(left.slice(i, i + 8), 16) ^ parseInt(right.slice(i, i + 8), 16)) >>> 0;
    while (x) {
      x &= x - 1;
      distance++;
    }
  }
  return distance;
}

/**
 * Decode an image file with the browser's own decoder into upright RGBA pixels.
 * EXIF orientation is applied (as Reclaim's Python decoder applies it); colour profiles are not
 * (Pillow ignores them too, and a hash must not depend on the screen it was made on).
 * @param {Blob} file
 * @returns {Promise<{data: Uint8ClampedArray, width: number, height: number}>}
 */
export async function decodeImage(file) {
  const bitmap = await createImageBitmap(file, {
    imageOrientation: "from-image",
    colorSpaceConversion: "none",
    premultiplyAlpha: "none",
  });
  try {
    return pixelsOf(bitmap, bitmap.width, bitmap.height);
  } finally {
    bitmap.close();
  }
}

/** RGBA pixels of anything a 2D canvas can draw (an ImageBitmap, a <video> frame), at its size. */
export function pixelsOf(source, width, height) {
  const canvas =
    typeof OffscreenCanvas === "function"
      ? new OffscreenCanvas(width, height)
      : Object.assign(document.createElement("canvas"), { width, height });
  const context = canvas.getContext("2d", { willReadFrequently: true });
  context.drawImage(source, 0, 0, width, height);
  const image = context.getImageData(0, 0, width, height);
  return { data: image.data, width, height };
}

/**
 * PDQ of an image file, decoded in the browser; nothing leaves the page.
 * @param {Blob} file
 * @returns {Promise<{hash: string, quality: number, width: number, height: number}>}
 */
export async function pdqOfImageFile(file) {
  const { data, width, height } = await decodeImage(file);
  return { ...pdqFromRgba(data, width, height), width, height };
}
