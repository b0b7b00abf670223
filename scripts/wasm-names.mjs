// Shortens the function names in a wasm file's "name" section, in place: drops rustc's symbol hashes
// (`::h0123456789abcdef`) and crate disambiguators (`core[c5930c85a12de822]`). Stack traces keep every readable
// path; the random hex, which gzip cannot shrink, was about a twentieth of the upload.
//   node scripts/wasm-names.mjs build/index_bg.wasm
import { readFileSync, writeFileSync } from "node:fs";

const HASHES = /::h[0-9a-f]{16}|\[[0-9a-f]{8,16}\]/g;

function readU32(bytes, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (byte < 0x80) return [value, at];
  }
}

function u32(value) {
  const out = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value) byte |= 0x80;
    out.push(byte);
  } while (value);
  return Buffer.from(out);
}

const sized = (content) => Buffer.concat([u32(content.length), content]);

// The function names subsection (id 1) is a vector of (index, name); the others are copied as they are.
function shortenNames(payload) {
  const parts = [];
  let at = 0;
  while (at < payload.length) {
    const id = payload[at++];
    const [size, start] = readU32(payload, at);
    let content = payload.subarray(start, start + size);
    at = start + size;
    if (id === 1) {
      const [count, first] = readU32(content, 0);
      const names = [u32(count)];
      let p = first;
      for (let i = 0; i < count; i++) {
        const [index, nameAt] = readU32(content, p);
        const [length, textAt] = readU32(content, nameAt);
        const name = content.subarray(textAt, textAt + length).toString("utf8").replace(HASHES, "");
        names.push(u32(index), sized(Buffer.from(name, "utf8")));
        p = textAt + length;
      }
      content = Buffer.concat(names);
    }
    parts.push(Buffer.from([id]), sized(content));
  }
  return Buffer.concat(parts);
}

const file = process.argv[2];
const wasm = readFileSync(file);
const sections = [wasm.subarray(0, 8)];
let at = 8;
while (at < wasm.length) {
  const id = wasm[at];
  const [size, start] = readU32(wasm, at + 1);
  let section = wasm.subarray(at, start + size);
  if (id === 0) {
    const [nameLength, nameAt] = readU32(wasm, start);
    if (wasm.subarray(nameAt, nameAt + nameLength).toString() === "name") {
      const header = sized(Buffer.from("name"));
      const payload = shortenNames(wasm.subarray(nameAt + nameLength, start + size));
      section = Buffer.concat([Buffer.from([0]), sized(Buffer.concat([header, payload]))]);
    }
  }
  sections.push(section);
  at = start + size;
}
writeFileSync(file, Buffer.concat(sections));
