// A tiny element builder: h("button", {class: "x", onclick}, "Play").
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key in el && typeof value !== "string") el[key] = value;
    else el.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) {
  el.replaceChildren();
  return el;
}

export function formatTime(ms) {
  if (!Number.isFinite(ms) || ms < 0) ms = 0;
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

export function artistNames(track) {
  return (track.artists ?? []).map((a) => a.name).join(", ");
}

export function coverUrl(track, size = 300) {
  const images = track.album?.images ?? [];
  if (!images.length) return null;
  const best = [...images].sort((a, b) => Math.abs((a.width ?? size) - size) - Math.abs((b.width ?? size) - size))[0];
  return best.url;
}

export function toast(message) {
  console.info(`toast: ${message}`); // in the page's log too (tests print it when they fail)
  const el = document.getElementById("toast");
  el.textContent = message;
  el.classList.add("show");
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => el.classList.remove("show"), 4000);
}
