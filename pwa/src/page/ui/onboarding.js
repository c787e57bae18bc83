// Onboarding: pick favourite genres (the cold-start prior), optionally connect Spotify; where the
// operator allows it, a word on connecting a Subsonic server.
import { api } from "../api.js";
import { h } from "../dom.js";
import { spotifyCard } from "./spotify.js";

const FALLBACK_GENRES = ["pop", "rock", "hip-hop", "electronic", "jazz", "classical", "folk", "metal",
  "r&b", "country", "reggae", "latin", "ambient", "blues", "indie", "soul"];

export async function genreList() {
  try {
    const { genres } = await api("/api/catalog/genres");
    if (genres?.length) return genres;
  } catch {
    /* older servers or offline: the demo catalog's genres */
  }
  return FALLBACK_GENRES;
}

export async function onboardingView({ me, onDone, spotifyFlash = null }) {
  const chosen = new Set(me.settings?.favorite_genres ?? []);
  const genres = await genreList();
  const status = h("p", { class: "form-error", role: "alert" });
  const chips = h("div", { class: "chips", role: "group", "aria-labelledby": "onb-genres" },
    genres.map((g) => {
      const chip = h("button", { type: "button", class: "chip", "aria-pressed": String(chosen.has(g)), dataset: { genre: g } }, g);
      chip.addEventListener("click", () => {
        if (chosen.has(g)) chosen.delete(g);
        else chosen.add(g);
        chip.setAttribute("aria-pressed", String(chosen.has(g)));
      });
      return chip;
    }));
  const savePicks = () => api("/api/me/settings", { method: "PATCH", body: { favorite_genres: [...chosen] } });
  const spotify = spotifyCard({
    me, returnTo: "/welcome", flash: spotifyFlash, beforeConnect: savePicks,
    lede: "Premium accounts can stream Spotify's catalogue here. Your picks are kept while you connect.",
  });
  const save = h("button", { type: "button", class: "primary wide" }, "Start listening");
  save.addEventListener("click", async () => {
    save.disabled = true;
    try {
      const settings = await savePicks();
      await onDone(settings);
    } catch (error) {
      status.textContent = error.message;
      save.disabled = false;
    }
  });
  // Where this Encore lets listeners bring their own server, say so here: Settings is where
  // it is connected, and a new listener would not look there first.
  const subsonic = me.subsonic?.can_connect && !me.subsonic.connected
    ? h("p", { class: "hint", id: "onb-subsonic" },
      "Your own music on a Subsonic or Navidrome server? Once you start, connect it in Settings.")
    : null;
  return h("section", { class: "onboarding", "aria-labelledby": "onb-title" },
    h("h1", { id: "onb-title" }, `Hi ${me.display_name}, what do you like?`),
    h("p", { class: "lede", id: "onb-genres" }, "Pick a few genres to start your feed. It learns from every skip and every song you finish."),
    chips, status, save, subsonic, spotify);
}
