// Modal questions as <dialog> elements (focus trapped by the browser, Escape cancels): pick a
// playlist or name a new one, confirm something that cannot be undone, and what to keep when
// another device changed a playlist you reordered.
import { h } from "../dom.js";

function modal(label, ...children) {
  const dialog = h("dialog", { class: "confirm", "aria-label": label }, ...children);
  document.body.append(dialog);
  dialog.addEventListener("close", () => dialog.remove());
  dialog.showModal();
  return dialog;
}

/** {value} of the chosen option, {create: name} for a new one, or null when cancelled. */
export function chooseDialog({ title, options, create }) {
  return new Promise((resolve) => {
    let answer = null;
    const name = h("input", { type: "text", id: "new-playlist-name", maxlength: 100, autocomplete: "off" });
    const form = h("form", { method: "dialog" },
      h("h2", {}, title),
      options.length ? h("ul", { class: "choices" }, options.map((o) =>
        h("li", {}, h("button", { type: "button", class: "ghost wide", onclick: () => {
          answer = { value: o.value };
          dialog.close();
        } }, o.label)))) : h("p", { class: "hint" }, "You have no playlists yet."),
      h("div", { class: "field" }, h("label", { for: "new-playlist-name" }, create), name),
      h("div", { class: "row" },
        h("button", { type: "submit", class: "primary", value: "create" }, "Create and add"),
        h("button", { type: "button", class: "ghost", onclick: () => dialog.close() }, "Cancel")));
    form.addEventListener("submit", (event) => {
      if (!name.value.trim()) {
        event.preventDefault();
        name.setAttribute("aria-invalid", "true");
        name.focus();
        return;
      }
      answer = { create: name.value.trim() };
    });
    const dialog = modal(title, form);
    dialog.addEventListener("close", () => resolve(answer));
  });
}

/** True when confirmed; with `password`, resolves to the typed password (or null). */
export function confirmDialog({ title, text, action, danger = false, password = false }) {
  return new Promise((resolve) => {
    let answer = null;
    const input = password ? h("input", { type: "password", id: "confirm-password", autocomplete: "current-password" }) : null;
    const form = h("form", { method: "dialog" },
      h("h2", {}, title), h("p", {}, text),
      input ? h("div", { class: "field" }, h("label", { for: "confirm-password" }, "Your password"), input) : null,
      h("div", { class: "row" },
        h("button", { type: "submit", class: danger ? "danger" : "primary" }, action),
        h("button", { type: "button", class: "ghost", onclick: () => dialog.close() }, "Cancel")));
    form.addEventListener("submit", () => {
      answer = input ? input.value : true;
    });
    const dialog = modal(title, form);
    dialog.addEventListener("close", () => resolve(answer));
  });
}

/** Another device changed a playlist this one reordered: "merge" | "mine" | "theirs". */
export function askMerge({ current }) {
  return new Promise((resolve) => {
    let answer = "merge";
    const choose = (value) => () => {
      answer = value;
      dialog.close();
    };
    const dialog = modal("Playlist changed elsewhere",
      h("h2", {}, `“${current.name}” changed on another device`),
      h("p", {}, "You reordered it here while it was changed somewhere else. What should it be?"),
      h("div", { class: "stack" },
        h("button", { type: "button", class: "primary wide", onclick: choose("mine") }, "Keep my order (and their additions)"),
        h("button", { type: "button", class: "ghost wide", onclick: choose("merge") }, "Keep their order (and my additions)"),
        h("button", { type: "button", class: "ghost wide", onclick: choose("theirs") }, "Drop my changes")));
    dialog.addEventListener("close", () => resolve(answer));
  });
}
