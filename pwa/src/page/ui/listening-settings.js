// Settings → Listening: when a skip counts, explicit tracks, exploration. Each control says its
// value in words as it moves; the form checks itself (one message per field, in sentences) and
// "Saved." only ever shows for what was just saved.
import { api, ApiError } from "../api.js";
import { h } from "../dom.js";

const LIMITS = { seconds: [1, 600], percent: [1, 100] };

function skipSentence(value, unit) {
  const amount = unit === "percent" ? `${value} % of a track` : `${value} second${Number(value) === 1 ? "" : "s"}`;
  return `Skipping in the first ${amount} tells Encore it's not for you. Skip later and it counts as a fair listen; reach the end having heard that much (or half the track) and it counts as finished.`;
}

function explorationWords(value) {
  const pct = Math.round(Number(value) * 100);
  const lean = pct <= 10 ? "What you know" : pct < 50 ? "Mostly what you know" : pct === 50 ? "Half and half" : pct < 90 ? "Mostly new to you" : "New to you";
  return `${lean}: ${pct} % discoveries`;
}

export function listeningSettings({ settings: s, onSaved }) {
  const errors = {};
  const errorSlot = (name) => (errors[name] = h("p", { class: "field-error", id: `set-${name}-error`, role: "alert" }));
  const value = h("input", { id: "set-skip-value", name: "skip_threshold_value", type: "number", min: 1, max: 600, step: 1, inputmode: "numeric", value: s.skip_threshold_value, "aria-describedby": "set-skip-summary set-skip_threshold_value-error" });
  const unit = h("select", { id: "set-skip-unit", name: "skip_threshold_unit", "aria-label": "Unit" },
    h("option", { value: "seconds", selected: s.skip_threshold_unit === "seconds" }, "seconds"),
    h("option", { value: "percent", selected: s.skip_threshold_unit === "percent" }, "% of the track"));
  const summary = h("p", { class: "hint", id: "set-skip-summary", "aria-live": "polite" });
  const explicit = h("input", { id: "set-explicit", name: "allow_explicit", type: "checkbox", checked: s.allow_explicit });
  const exploration = h("input", { id: "set-exploration", name: "exploration", type: "range", min: 0, max: 1, step: 0.05, value: s.exploration, "aria-describedby": "set-exploration-value set-exploration-hint" });
  const explorationValue = h("output", { id: "set-exploration-value", for: "set-exploration", class: "value" });
  const saved = h("p", { class: "saved", role: "status" });
  const problem = h("p", { class: "form-error", role: "alert" });
  const say = () => {
    summary.textContent = skipSentence(value.value || "…", unit.value);
    explorationValue.textContent = explorationWords(exploration.value);
    exploration.setAttribute("aria-valuetext", explorationValue.textContent);
  };
  const form = h("form", { class: "card", novalidate: true, "aria-labelledby": "set-listening" },
    h("h2", { id: "set-listening" }, "Listening"),
    h("div", { class: "field" },
      h("label", { for: "set-skip-value" }, "A skip counts against a track only in its first"),
      h("div", { class: "row" }, value, unit),
      summary,
      errorSlot("skip_threshold_value")),
    h("div", { class: "field check" }, explicit, h("label", { for: "set-explicit" }, "Allow explicit tracks")),
    h("div", { class: "field" },
      h("label", { for: "set-exploration" }, "Exploration"),
      exploration, explorationValue,
      h("p", { class: "hint", id: "set-exploration-hint" }, "Left: more of what you know. Right: more discoveries."),
      errorSlot("exploration")),
    problem, h("button", { type: "submit", class: "primary" }, "Save settings"), saved);
  form.addEventListener("input", () => {
    saved.textContent = ""; // whatever was saved is not what is on screen any more
    problem.textContent = "";
    say();
  });
  form.addEventListener("change", say);

  function check() {
    const [low, high] = LIMITS[unit.value];
    const n = Number(value.value);
    if (value.value === "" || !Number.isInteger(n) || n < low || n > high) {
      return { skip_threshold_value: unit.value === "percent"
        ? `Enter a whole number from ${low} to ${high} (percent of the track).`
        : `Enter a whole number of seconds, from ${low} to ${high}.` };
    }
    return {};
  }

  function show(fields) {
    for (const [name, slot] of Object.entries(errors)) {
      slot.textContent = fields[name] ?? "";
      form.querySelector(`[name=${name}]`)?.setAttribute("aria-invalid", fields[name] ? "true" : "false");
    }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    saved.textContent = "";
    problem.textContent = "";
    const problems = check();
    show(problems);
    if (Object.keys(problems).length) {
      value.focus();
      return;
    }
    try {
      const settings = await api("/api/me/settings", {
        method: "PATCH",
        body: {
          skip_threshold_value: Number(value.value),
          skip_threshold_unit: unit.value,
          allow_explicit: explicit.checked,
          exploration: Number(exploration.value),
        },
      });
      saved.textContent = "Saved.";
      await onSaved(settings);
    } catch (error) {
      const fields = error instanceof ApiError ? error.fields : {};
      const known = Object.fromEntries(Object.entries(fields).filter(([name]) => errors[name]));
      show(known);
      if (!Object.keys(known).length) problem.textContent = `Not saved: ${error.message}`;
    }
  });
  say();
  return form;
}
