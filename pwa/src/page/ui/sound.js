// The sound of a track in a listener's words: what Encore's audio analysis (local and Subsonic
// tracks) or the catalog's audio features found, each quality once, with a number a person
// reads (tempo in BPM, the key, loudness in dB, the rest as a meter with a percentage). The
// compact timbre vector the model uses (MFCC means) is left out: nobody can read it.
import { h } from "../dom.js";

const KEYS = ["C", "C♯", "D", "E♭", "E", "F", "F♯", "G", "A♭", "A", "B♭", "B"];
const percent = (x) => `${Math.round(x * 100)} %`;
const isNumber = (x) => typeof x === "number" && Number.isFinite(x);

// 0..1 qualities, shown as meters, in this order (a quality missing from a track is left out).
const METERS = [
  ["energy", "Energy"],
  ["danceability", "Danceability"],
  ["valence", "Happy mood"],
  ["rhythm_strength", "Rhythm strength"],
  ["brightness", "Brightness"],
  ["acousticness", "Acoustic"],
  ["instrumentalness", "Instrumental"],
  ["speechiness", "Spoken words"],
  ["liveness", "Sounds live"],
];

function pace(bpm) {
  return bpm < 80 ? "slow" : bpm < 120 ? "medium" : "fast";
}

function volume(db) {
  return db >= -8 ? "loud" : db >= -14 ? "medium" : "quiet";
}

/** [{key, label, text, meter}] for the qualities a track has, in a fixed order, each once. */
export function soundRows(features = {}) {
  const f = features ?? {};
  const rows = [];
  if (isNumber(f.tempo) && f.tempo > 0) {
    rows.push({ key: "tempo", label: "Tempo", text: `${Math.round(f.tempo)} BPM · ${pace(f.tempo)}` });
  }
  if (isNumber(f.key) && f.key >= 0 && f.key < 12) {
    const mode = f.mode === 0 ? " minor" : f.mode === 1 ? " major" : "";
    rows.push({ key: "key", label: "Key", text: `${KEYS[Math.round(f.key)]}${mode}` });
  }
  if (isNumber(f.loudness)) {
    rows.push({ key: "loudness", label: "Loudness", text: `${f.loudness.toFixed(1).replace("-", "−")} dB · ${volume(f.loudness)}` });
  }
  for (const [key, label] of METERS) {
    if (!isNumber(f[key])) continue;
    const value = Math.min(1, Math.max(0, f[key]));
    const hz = key === "brightness" && isNumber(f.centroid_hz) ? ` (${Math.round(f.centroid_hz).toLocaleString("en")} Hz)` : "";
    rows.push({ key, label, text: `${percent(value)}${hz}`, meter: value });
  }
  return rows;
}

/** The rows as a definition list, or a note while the analysis has not reached the track. */
export function soundFacts(track) {
  const rows = soundRows(track.features);
  const note = track.analysis === "pending" ? "Analysing the sound of this track…"
    : track.analysis === "failed" ? "The sound of this track could not be analysed." : null;
  return [
    rows.length ? h("dl", { class: "facts sound", id: "sound-facts" },
      rows.map((row) => [
        h("dt", { id: `sound-${row.key}` }, row.label),
        h("dd", { dataset: { quality: row.key } },
          row.meter === undefined ? null : h("meter", { min: 0, max: 1, value: row.meter, "aria-hidden": "true" }),
          h("span", { class: "value" }, row.text)),
      ])) : null,
    note ? h("p", { class: "hint", id: "sound-note" }, note) : null,
    !rows.length && !note ? h("p", { class: "hint", id: "sound-note" }, "Nothing is known about the sound of this track.") : null,
  ];
}
