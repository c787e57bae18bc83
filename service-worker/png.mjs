// A tiny PNG writer (RGBA, no filtering) so the icons are drawn at build time without image libraries.
import { crc32, deflateSync } from "node:zlib";

function chunk(type, data) {
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const out = Buffer.alloc(8 + data.length + 4);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body) >>> 0, 8 + data.length);
  return out;
}

/** Encode `pixel(x, y) -> [r, g, b, a]` (0..255) as a size×size PNG. */
export function png(size, pixel) {
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    const row = y * (size * 4 + 1);
    for (let x = 0; x < size; x++) {
      const [r, g, b, a] = pixel(x + 0.5, y + 0.5);
      raw.set([r, g, b, a], row + 1 + x * 4);
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(raw, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

const BG = [24, 20, 38];
const ACCENT = [255, 92, 138];
const WHITE = [255, 255, 255];

/** Encore's mark: a play triangle inside a ring, on a dark ground.
 *  `safe` is the fraction of the icon the mark may use (maskable icons keep it in the 80 % circle). */
export function encoreIcon(size, { maskable = false } = {}) {
  const c = size / 2;
  const safe = maskable ? 0.62 : 0.86;
  const ring = (size * safe) / 2;
  const corner = maskable ? 0 : size * 0.2;
  return png(size, (x, y) => {
    // Rounded square (or full bleed when maskable).
    const dx = Math.max(Math.abs(x - c) - (c - corner), 0);
    const dy = Math.max(Math.abs(y - c) - (c - corner), 0);
    if (corner && Math.hypot(dx, dy) > corner) return [0, 0, 0, 0];
    const r = Math.hypot(x - c, y - c);
    if (r < ring && r > ring * 0.86) return [...ACCENT, 255];
    // Play triangle pointing right, centred a bit right of the middle.
    const s = ring * 0.5;
    const tx = x - (c + s * 0.15);
    const ty = y - c;
    if (tx > -s * 0.6 && tx < s * 0.9 && Math.abs(ty) < (s * 0.9 - tx) * 0.66) return [...WHITE, 255];
    return [...BG, 255];
  });
}
