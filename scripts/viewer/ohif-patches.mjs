// Fixes applied, at serve time, to the pinned OHIF build's JavaScript (the files on disk stay as
// npm installed them). Each one names the upstream defect; each must match in the pinned build,
// or the server says so at start-up, since a new OHIF version needs them re-checked.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

const patches = [
  {
    // dcmjs's reader of 1-bit pixel data whose frames do not end on a byte boundary (Rows x
    // Columns not a multiple of 8) reads and writes each bit most-significant first. DICOM packs
    // 1-bit pixels least-significant first (PS3.5 8.1.1), so every frame but the first, whose
    // start is not byte-aligned, comes out with its pixels shuffled within 8-pixel groups: a
    // binary SEG of such a series is drawn as diagonal stripes.
    name: 'dcmjs readUncompressedBitFrame bit order',
    edits: [
      ['bitValue = sourceByte >> 7 - sourceBitIndex & 1',
       'bitValue = sourceByte >> sourceBitIndex & 1'],
      ['frameView[targetByteIndex] |= 1 << 7 - targetBitIndex',
       'frameView[targetByteIndex] |= 1 << targetBitIndex'],
    ],
  },
];

// Returns Map(file name -> patched text) for the dist folder's top-level .js files that need a
// fix, and the names of the patches that matched nowhere.
export async function patchOhif(dist) {
  const patched = new Map();
  const unmatched = new Set(patches.map((patch) => patch.name));
  for (const name of (await readdir(dist)).filter((file) => file.endsWith('.js'))) {
    let text = await readFile(path.join(dist, name), 'utf8');
    let changed = false;
    for (const patch of patches) {
      if (patch.edits.every(([find]) => text.includes(find))) {
        for (const [find, replace] of patch.edits) {
          text = text.split(find).join(replace);
        }
        unmatched.delete(patch.name);
        changed = true;
      }
    }
    if (changed) {
      patched.set(name, text);
    }
  }
  return { patched, unmatched: [...unmatched] };
}
