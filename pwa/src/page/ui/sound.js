// The sound of a track in numbers: what Encore's audio analysis (local and Subsonic tracks) or
// Spotify's audio features found. Shown in the details panel.
import { h } from "../dom.js";

const KEYS = ["C", "C♯", "D", "E♭", "E", "F", "F♯", "G", "A♭", "A", "B♭", "B"];
const percent = (x) => `${Math.round(x * 100)} %`;
const isNumber = (x) => typeof x === "number" && Number.isFinite(x);

/** [label, text] rows for the features a track has, in a fixed order. */
export function soundRows(features = {}) {
  const f = features ?? {};
  const rows = [];
  if (isNumber(f.tempo)) rows.push(["Tempo", `${Math.round(f.tempo)} BPM`]);
  if (isNumber(f.key) && f.key >= 0 && f.key < 12) {
    rows.push(["Key", `${KEYS[Math.round(f.key)]} ${f.mode === 0 ? "minor" : f.mode === 1 ? "major" : ""}`.trim()]);
  }
  if (isNumber(f.loudness)) rows.push(["Loudness", `${f.loudness.toFixed(1)} dB`]);
  if (isNumber(f.energy)) rows.push(["Energy", percent(f.energy)]);
  if (isNumber(f.brightness)) {
    rows.push(["Brightness", `${percent(f.brightness)}${isNumber(f.centroid_hz) ? ` (${Math.round(f.centroid_hz).toLocaleString("en")} Hz)` : ""}`]);
  }
  if (isNumber(f.rhythm_strength)) rows.push(["Rhythm strength", percent(f.rhythm_strength)]);
  const timbre = [1, 2, 3, 4, 5, 6, 7, 8].map((i) => f[`timbre_${i}`]).filter(isNumber);
  if (timbre.length) rows.push(["Timbre", timbre.map((t) => (t >= 0 ? "+" : "") + t.toFixed(2)).join(" ")]);
  return rows;
}

/** The rows as a definition list, or a note while the analysis has not reached the track. */
export function soundFacts(track) {
  const rows = soundRows(track.features);
  const note = track.analysis === "pending" ? "Analysing the sound of this track…"
    : track.analysis === "failed" ? "The sound of this track could not be analysed." : null;
  return [
    rows.length ? h("dl", { class: "facts sound", id: "sound-facts" },
      rows.map(([label, text]) => [h("dt", {}, label), h("dd", {}, text)])) : null,
    note ? h("p", { class: "hint", id: "sound-note" }, note) : null,
  ];
}
