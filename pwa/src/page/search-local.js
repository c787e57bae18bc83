// Search on this device, for when Encore's server can't be reached: the tracks the page has
// seen (the saved feed, lists opened), matched as the server matches them (backend/search/
// text.py): folded text, whole words, word starts, inner words and a typo or two.

export function fold(text) {
  return String(text ?? "").normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ").trim();
}

export function distance(a, b, cap = 3) {
  if (Math.abs(a.length - b.length) >= cap) return cap;
  let prev2 = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j], prev2[j - 2] + 1);
    }
    if (Math.min(...row) >= cap) return cap;
    prev2 = prev;
    prev = row;
  }
  return Math.min(prev[b.length], cap);
}

function level(word, words, last) {
  const typos = word.length < 4 ? 0 : word.length < 8 ? 1 : 2;
  let best = 0;
  for (const w of words) {
    if (w === word) return 3;
    if (w.startsWith(word)) best = Math.max(best, last || word.length >= 3 ? 2 : 1.2);
    else if (word.length >= 3 && w.includes(word)) best = Math.max(best, 1.2);
    else if (typos && best < 1 && (distance(word, w, typos + 1) <= typos
      || (w.length > word.length && distance(word, w.slice(0, word.length), typos + 1) <= typos))) best = 1;
  }
  return best;
}

function score(query, fields) {
  let total = 0;
  query.forEach((word, i) => {
    const last = i === query.length - 1;
    const best = Math.max(level(word, fields.name, last), 0.9 * level(word, fields.artists, last), 0.6 * level(word, fields.album, last));
    total = best === 0 || total < 0 ? -1 : total + best;
  });
  return total;
}

/** {tracks, artists, albums} among `tracks`, best first. */
export function searchLocally(q, tracks, limit = 20) {
  const query = fold(q).split(" ").filter(Boolean).slice(0, 8);
  if (!query.length) return { tracks: [], artists: [], albums: [] };
  const scored = [];
  for (const track of tracks) {
    const fields = {
      name: fold(track.name).split(" "),
      artists: fold((track.artists ?? []).map((a) => a.name).join(" ")).split(" "),
      album: fold(track.album?.name).split(" "),
    };
    const s = score(query, fields);
    if (s > 0) scored.push([s, track]);
  }
  scored.sort((a, b) => b[0] - a[0] || String(a[1].name).localeCompare(b[1].name));
  const artists = new Map();
  const albums = new Map();
  for (const [, track] of scored) {
    for (const a of track.artists ?? []) {
      if (a.id && !artists.has(a.id) && score(query, { name: fold(a.name).split(" "), artists: [], album: [] }) > 0) {
        artists.set(a.id, { id: a.id, name: a.name, source: track.source, image: track.album?.images?.[0]?.url ?? null });
      }
    }
    const album = track.album ?? {};
    if (album.id && !albums.has(album.id) && score(query, { name: fold(album.name).split(" "), artists: fold((track.artists ?? []).map((a) => a.name).join(" ")).split(" "), album: [] }) > 0) {
      albums.set(album.id, { id: album.id, name: album.name, artists: track.artists ?? [], image: album.images?.[0]?.url ?? null });
    }
  }
  return { tracks: scored.slice(0, limit).map(([, t]) => t), artists: [...artists.values()].slice(0, limit), albums: [...albums.values()].slice(0, limit) };
}
