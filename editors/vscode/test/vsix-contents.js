// Reads a .vsix (a zip archive) with node alone and prints what tests/editors.rs checks:
// the entry names, the packaged extension/package.json and extension.vsixmanifest.
//
//   node test/vsix-contents.js FILE.vsix

"use strict";

const fs = require("fs");
const zlib = require("zlib");

const data = fs.readFileSync(process.argv[2]);
// End of central directory: signature 0x06054b50, within the last 64 KiB + 22 bytes.
let eocd = -1;
for (let i = data.length - 22; i >= Math.max(0, data.length - 65557); i--) {
  if (data.readUInt32LE(i) === 0x06054b50) {
    eocd = i;
    break;
  }
}
if (eocd < 0) {
  console.error("not a zip archive");
  process.exit(1);
}
const count = data.readUInt16LE(eocd + 10);
let at = data.readUInt32LE(eocd + 16);
const entries = new Map();
for (let n = 0; n < count; n++) {
  if (data.readUInt32LE(at) !== 0x02014b50) {
    console.error("bad central directory entry");
    process.exit(1);
  }
  const method = data.readUInt16LE(at + 10);
  const size = data.readUInt32LE(at + 20);
  const nameLength = data.readUInt16LE(at + 28);
  const extraLength = data.readUInt16LE(at + 30);
  const commentLength = data.readUInt16LE(at + 32);
  const local = data.readUInt32LE(at + 42);
  const name = data.toString("utf8", at + 46, at + 46 + nameLength);
  entries.set(name, { method, size, local });
  at += 46 + nameLength + extraLength + commentLength;
}

function read(name) {
  const entry = entries.get(name);
  if (!entry) {
    return null;
  }
  const start =
    entry.local + 30 + data.readUInt16LE(entry.local + 26) + data.readUInt16LE(entry.local + 28);
  const raw = data.subarray(start, start + entry.size);
  return (entry.method === 8 ? zlib.inflateRawSync(raw) : raw).toString("utf8");
}

const packageJson = read("extension/package.json");
console.log(
  JSON.stringify({
    files: [...entries.keys()],
    packageJson: packageJson && JSON.parse(packageJson),
    manifest: read("extension.vsixmanifest"),
  }),
);
