// vPDQ, Meta's video hash, inside the browser: the PDQ hash of one frame a second.
//
// The video is decoded by the browser itself: a <video> element plays the file from an object
// URL (the file stays in the page), we seek it to each sampled frame and draw that frame on a
// canvas for pdq.js. The frames are the reference's (ThreatExchange vpdq/cpp, and Reclaim's
// Python media.video): every int(fps)-th frame in presentation order, frame index i at
// timestamp i / fps. The frame rate comes from the MP4/MOV header (frames over duration, as
// FFmpeg's average rate); other containers (WebM) say none, and we then sample whole seconds.
//
// The browser converts frames to RGB with the colour matrix the stream declares, Reclaim's
// Python with BT.601 always, so frame hashes may differ by a few bits; vPDQ matching allows 31.

import { pdqFromRgba, pixelsOf } from "./pdq.js";

export const SECONDS_PER_HASH = 1.0;

/**
 * vPDQ of a video file: [{frame, timestamp, hash, quality}], as Reclaim's `VpdqFrame.to_json`.
 * @param {File|Blob} file
 * @param {{bytes?: Uint8Array, onFrame?: (done: number, total: number) => void, secondsPerHash?: number}} [options]
 *   `bytes`: the file's content when the caller has read it already (to find the frame rate).
 */
export async function vpdqOfVideoFile(file, options = {}) {
  const secondsPerHash = options.secondsPerHash ?? SECONDS_PER_HASH;
  const bytes = options.bytes ?? new Uint8Array(await file.arrayBuffer());
  const url = URL.createObjectURL(file);
  const video = document.createElement("video");
  video.muted = true;
  video.preload = "auto";
  video.playsInline = true;
  try {
    video.src = url;
    await once(video, "loadeddata");
    const { fps, frames: frameCount } = mp4VideoTiming(bytes);
    const plan = sampledFrames(video.duration, fps, secondsPerHash, frameCount);
    const frames = [];
    for (const [done, sample] of plan.entries()) {
      await seek(video, sample.seekTo);
      const { data, width, height } = pixelsOf(video, video.videoWidth, video.videoHeight);
      const { hash, quality } = pdqFromRgba(data, width, height);
      frames.push({ frame: sample.frame, timestamp: sample.timestamp, hash, quality });
      options.onFrame?.(done + 1, plan.length);
    }
    return frames;
  } finally {
    video.removeAttribute("src");
    video.load();
    URL.revokeObjectURL(url);
  }
}

/**
 * The frames vPDQ samples: with a frame rate, every max(1, int(seconds * fps))-th frame, seeking
 * to the middle of each frame's display time; without one, a frame every `seconds`.
 * `frameCount` is the video track's own count where the container says it: the element's
 * duration is the longest track's, and an audio track may run on past the last frame.
 */
export function sampledFrames(duration, fps, seconds = SECONDS_PER_HASH, frameCount = 0) {
  const plan = [];
  if (!(duration > 0)) return plan;
  if (fps > 0) {
    const step = Math.max(1, Math.floor(seconds * fps));
    const count = Math.min(frameCount || Infinity, Math.floor(duration * fps + 1e-6));
    for (let frame = 0; frame < count; frame += step) {
      plan.push({ frame, timestamp: round3(frame / fps), seekTo: (frame + 0.5) / fps });
    }
    return plan;
  }
  for (let k = 0; k * seconds < duration; k++) plan.push({ frame: k, timestamp: round3(k * seconds), seekTo: k * seconds });
  return plan;
}

function round3(value) {
  return Math.round(value * 1000) / 1000;
}

/** python-threatexchange's vPDQ string, as `reclaim protect --hashes` reads it (signals/vpdq.py). */
export function toSignalString(frames) {
  return JSON.stringify(frames.map((f) => `${f.hash},${f.quality},${f.timestamp.toFixed(3)}`));
}

function once(target, event) {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      target.removeEventListener(event, done);
      target.removeEventListener("error", failed);
    };
    const done = () => {
      cleanup();
      resolve();
    };
    const failed = () => {
      cleanup();
      reject(Object.assign(new Error("the browser cannot decode this video"), { code: "cannot-decode" }));
    };
    target.addEventListener(event, done);
    target.addEventListener("error", failed);
  });
}

async function seek(video, time) {
  const arrived = once(video, "seeked");
  video.currentTime = Math.min(time, video.duration);
  await arrived;
}

// ---------------------------------------------------------------------------------------------
// Frame rate from an ISO base media file (MP4, MOV, 3GP): the first video track's sample count
// (stts) over its duration (mdhd), as FFmpeg's average frame rate. Only box headers are read.

const CONTAINERS = new Set(["moov", "trak", "mdia", "minf", "stbl"]);

/**
 * Frames per second and frame count of the first video track; zeros when the file is not
 * MP4/MOV or says neither.
 */
export function mp4VideoTiming(bytes) {
  const none = { fps: 0, frames: 0 };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const track of boxes(view, 0, bytes.length, "trak")) {
    const media = track.children("mdia");
    if (!media) continue;
    const handler = media.children("hdlr");
    if (!handler || fourcc(view, handler.body + 8) !== "vide") continue;
    const header = media.children("mdhd");
    const table = media.children("minf")?.children("stbl")?.children("stts");
    if (!header || !table) return none;
    const version = view.getUint8(header.body);
    const timescale = view.getUint32(header.body + (version === 1 ? 20 : 12));
    const duration =
      version === 1 ? Number(view.getBigUint64(header.body + 24)) : view.getUint32(header.body + 16);
    let samples = 0;
    const entries = view.getUint32(table.body + 4);
    for (let i = 0; i < entries; i++) samples += view.getUint32(table.body + 8 + i * 8);
    return duration > 0 && timescale > 0 ? { fps: (samples * timescale) / duration, frames: samples } : none;
  }
  return none;
}

function* boxes(view, start, end, wanted) {
  let at = start;
  while (at + 8 <= end) {
    let size = view.getUint32(at);
    const type = fourcc(view, at + 4);
    let header = 8;
    if (size === 1) {
      size = Number(view.getBigUint64(at + 8));
      header = 16;
    } else if (size === 0) {
      size = end - at;
    }
    if (size < header || at + size > end) return;
    const box = {
      type,
      body: at + header,
      end: at + size,
      children: (name) => boxes(view, at + header, at + size, name).next().value,
    };
    if (type === wanted) yield box;
    else if (CONTAINERS.has(type) && wanted !== type) yield* boxes(view, box.body, box.end, wanted);
    at += size;
  }
}

function fourcc(view, at) {
  return String.fromCharCode(view.getUint8(at), view.getUint8(at + 1), view.getUint8(at + 2), view.getUint8(at + 3));
}
