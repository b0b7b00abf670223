// A tiny PNG encoder (RGB, 8-bit) so the stand-ins can serve real images without any image library.
import zlib from "node:zlib";

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** Encodes `width`×`height` pixels, colouring each with `pixel(x, y) -> [r, g, b]`. */
export function encodePng(width, height, pixel) {
  const rows = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const offset = y * (width * 3 + 1);
    for (let x = 0; x < width; x++) rows.set(pixel(x, y), offset + 1 + x * 3);
  }
  return pngFromRows(width, height, zlib.deflateSync(rows));
}

/** A PNG (RGB, 8-bit) from its already deflated scanlines. */
export function pngFromRows(width, height, idat) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", idat),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** A deterministic colour pair from any text, for avatars and generated images. */
export function coloursFor(text) {
  let hash = 2166136261;
  for (const ch of text) hash = Math.imul(hash ^ ch.codePointAt(0), 16777619) >>> 0;
  return [[hash & 0xff, (hash >> 8) & 0xff, (hash >> 16) & 0xff], [(hash >> 4) & 0xff, (hash >> 12) & 0xff, 255 - (hash & 0xff)]];
}

/** A PNG grown to `total` bytes by an ancillary chunk after IHDR (decoders skip it; the image is unchanged). */
export function padPng(png, total) {
  const data = Buffer.alloc(Math.max(0, total - png.length - 12), 0x20);
  const type = Buffer.from("zzPd");
  const head = Buffer.alloc(4);
  head.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(Buffer.concat([type, data])));
  return Buffer.concat([png.subarray(0, 33), head, type, data, crc, png.subarray(33)]);
}
