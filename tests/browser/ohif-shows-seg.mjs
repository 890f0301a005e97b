// Drives Debian's Chromium (headless, through playwright-core) through OHIF as a radiologist
// would: opens the study, loads two SEGs from "another tool" whose references are missing, checks
// that the study view survives them, then loads the SEG the Iris plugin wrote and checks that
// its segment labels and colours appear in OHIF's segmentation panel. Screenshots go to the
// artifacts folder. Run by ohif-shows-seg.sh, which prepares Orthanc, the SEGs and the viewer.
// Environment: IRIS_STUDY_URL, IRIS_EXPECTED_SEGMENTS (JSON [{label, rgb: [r, g, b]}]),
// IRIS_EXPECTED_VOXELS (file: seg-voxels.py's output for our SEG),
// IRIS_ARTIFACTS (folder), IRIS_NODE_MODULES (where npm ci put playwright-core, outside the
// source tree), IRIS_CHROMIUM (default /usr/bin/chromium).
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { launchChromium } from './chromium.mjs';

const studyUrl = process.env.IRIS_STUDY_URL;
const foreignStudyUrl = process.env.IRIS_FOREIGN_STUDY_URL;
const expected = JSON.parse(process.env.IRIS_EXPECTED_SEGMENTS ?? '[]');
const artifacts = process.env.IRIS_ARTIFACTS;
assert.ok(studyUrl && foreignStudyUrl && expected.length > 0 && artifacts &&
          process.env.IRIS_EXPECTED_VOXELS,
          'IRIS_STUDY_URL, IRIS_FOREIGN_STUDY_URL, IRIS_EXPECTED_SEGMENTS, IRIS_EXPECTED_VOXELS ' +
          'and IRIS_ARTIFACTS must be set');
const expectedVoxels = JSON.parse(readFileSync(process.env.IRIS_EXPECTED_VOXELS, 'utf8'));

// Where OHIF's label map puts each segment of the segmentation labelled `label`, in the terms of
// seg-voxels.py: {segment label: ["<SOP Instance UID> <pixel index>", ...]}. Read from the
// Cornerstone objects that OHIF 3 exposes on window.
function labelmapVoxels(label) {
  const { segmentation } = window.cornerstoneTools;
  const found = segmentation.state.getSegmentations().find((candidate) => candidate.label === label);
  if (!found) {
    return null;
  }
  const names = Object.fromEntries(Object.entries(found.segments)
    .map(([index, segment]) => [index, segment.label]));
  const voxels = Object.fromEntries(Object.values(names).map((name) => [name, []]));
  for (const imageId of found.representationData.Labelmap.imageIds) {
    const image = window.cornerstone.cache.getImage(imageId);
    const sop = /\/instances\/([^/]+)/.exec(image?.referencedImageId ?? '')?.[1];
    if (!image || !sop) {
      continue;
    }
    image.getPixelData().forEach((value, index) => {
      if (value && names[value] !== undefined) {
        voxels[names[value]].push(`${sop} ${index}`);
      }
    });
  }
  return voxels;
}
mkdirSync(artifacts, { recursive: true });

const irisSeg = 'Iris: hippocampus';
const sourceSeries = 'Converted from NIfTI';
const missingInstancesSeg = 'Other tool: missing references';
const missingSeriesSeg = 'Other tool: missing series';
const slow = { timeout: 120_000 }; // 2 CPU cores, software WebGL, other tests running alongside

const browser = await launchChromium();
const pageErrors = [];
let step = 'start';
let page;
try {
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.setDefaultTimeout(slow.timeout);
  page.on('pageerror', (error) => pageErrors.push(`${step}: ${error.message}`));
  // OHIF's first-visit guided tour covers the page; a returning user has seen it.
  await page.addInitScript(() =>
    localStorage.setItem('shownTours', JSON.stringify(['basicViewerTour'])));

  const thumbnail = (description) => page.locator('[data-cy="series-description-label"]',
                                                  { hasText: description }).first();
  // The viewport shows an image once its overlay names the image's place in the series, "(8/28)".
  const imageIndex = /\(\d+\/\d+\)/;
  const viewportShowsImage = () => page.locator('[data-cy="viewport-overlay-bottom-right"]',
                                                { hasText: imageIndex }).first().waitFor();
  const rowTitles = page.locator('[data-cy="data-row-title"]');
  // Double-clicking a SEG thumbnail asks "Do you want to open this Segmentation?"; some SEGs
  // (one whose series is missing) never get that far.
  const openSeg = async (description, expectPrompt) => {
    step = `open ${description}`;
    await thumbnail(description).dblclick();
    const yes = page.getByRole('button', { name: 'Yes', exact: true });
    if (!expectPrompt) {
      await yes.waitFor({ timeout: 10_000 }).then(() => yes.click(), () => {});
      return;
    }
    // In some page loads (about one in three here) OHIF 3.13.2 leaves the viewport black
    // instead of asking, for the SEG whose referenced instances are missing, as it does for one
    // whose series is missing; reopening the series does not help, reloading the page does.
    for (let reload = 1; reload <= 3; reload++) {
      if (await yes.waitFor({ timeout: 30_000 }).then(() => true, () => false)) {
        break;
      }
      console.log(`no prompt for ${description} after 30 s: page reloaded (${reload}/3)`);
      await page.screenshot({ path: path.join(artifacts, 'no-prompt.png') });
      await openStudy();
      await thumbnail(description).dblclick();
    }
    await yes.click();
  };
  const reopenSource = async () => {
    await thumbnail(sourceSeries).dblclick();
    await viewportShowsImage();
    await page.waitForLoadState('networkidle');
  };
  const showSegmentationPanel = async () => {
    if (!(await rowTitles.first().isVisible())) {
      await page.locator('[data-cy="panelSegmentation-btn"]').click();
    }
  };
  const waitForRows = (labels) => page.waitForFunction((wanted) => {
    const shown = [...document.querySelectorAll('[data-cy="data-row-title"]')]
      .map((row) => row.textContent.trim());
    return wanted.every((label) => shown.includes(label));
  }, labels, slow);

  // OHIF's label map of the segmentation `segLabel` holds exactly the voxels of our SEG, whose
  // segment labels it shows with `prefix` before them.
  const expectVoxelsInPlace = async (segLabel, prefix) => {
    step = `compare the label map of ${segLabel} with the SEG`;
    const shown = await page.evaluate(labelmapVoxels, segLabel);
    assert.ok(shown, `OHIF has no segmentation labelled "${segLabel}"`);
    for (const [label, voxels] of Object.entries(expectedVoxels)) {
      const wanted = new Set(voxels.map(([sop, index]) => `${sop} ${index}`));
      const got = new Set(shown[prefix + label] ?? []);
      const common = [...got].filter((voxel) => wanted.has(voxel)).length;
      const dice = (2 * common) / (wanted.size + got.size);
      assert.ok(dice === 1, `${segLabel}, segment "${prefix + label}": OHIF's label map has ` +
                `${got.size} voxels, the SEG ${wanted.size}, ${common} in common ` +
                `(Dice ${dice.toFixed(3)})`);
      console.log(`${segLabel}, segment "${prefix + label}": the ${wanted.size} voxels, in place`);
    }
  };

  const openStudy = async () => {
    await page.goto(studyUrl);
    for (const description of [sourceSeries, irisSeg, missingInstancesSeg, missingSeriesSeg]) {
      await thumbnail(description).waitFor();
    }
    await viewportShowsImage();
    await page.waitForLoadState('networkidle'); // OHIF loads the study's metadata lazily
  };

  step = 'open the study';
  const started = Date.now();
  await openStudy();
  console.log(`study shown with its 3 SEGs after ${((Date.now() - started) / 1000).toFixed(1)} s`);

  // Bad input 1: the series is there but every referenced instance is missing. OHIF places the
  // frames by their position in the frame of reference, and lists the SEG's own segments.
  await openSeg(missingInstancesSeg, true);
  await showSegmentationPanel();
  const orphanLabels = expected.map((segment) => `Orphan ${segment.label}`);
  await waitForRows(orphanLabels);
  await viewportShowsImage();
  await expectVoxelsInPlace(missingInstancesSeg, 'Orphan ');
  await page.screenshot({ path: path.join(artifacts, 'seg-missing-instances.png') });
  console.log(`SEG with missing instances: shown on the series, segments ${orphanLabels.join(', ')}`);

  // Bad input 2: the referenced series is not in the archive either. OHIF cannot place the SEG:
  // the viewport empties, without a message. The study stays usable: the series opens again.
  await openSeg(missingSeriesSeg, false);
  const emptied = await page.waitForFunction((pattern) => {
    const overlay = document.querySelector('[data-cy="viewport-overlay-bottom-right"]');
    return !overlay || !new RegExp(pattern).test(overlay.textContent);
  }, imageIndex.source, { timeout: 30_000 }).then(() => true, () => false);
  await page.screenshot({ path: path.join(artifacts, 'seg-missing-series.png') });
  step = 'reopen the series after the SEG with a missing series';
  await reopenSource();
  console.log(`SEG with a missing series: viewport ${emptied ? 'emptied' : 'kept its image'}, ` +
              'series reopened');

  // Our SEG: the labels and colours of the task's classes, in the segmentation panel.
  await openSeg(irisSeg, true);
  await showSegmentationPanel();
  const labels = expected.map((segment) => segment.label);
  await waitForRows(labels);
  step = 'read the segmentation panel';
  const rows = await page.locator('[data-cy="data-row"]').evaluateAll((elements) =>
    elements.map((row) => ({
      label: row.querySelector('[data-cy="data-row-title"]')?.textContent.trim(),
      colour: row.querySelector('[data-cy="data-row-colorhex"]')?.style.backgroundColor,
    })));
  for (const segment of expected) {
    const row = rows.find((candidate) => candidate.label === segment.label);
    assert.ok(row, `segment "${segment.label}" is not in the panel: ${JSON.stringify(rows)}`);
    const rgb = (row.colour.match(/\d+/g) ?? []).map(Number);
    // The SEG stores CIELab (RecommendedDisplayCIELabValue); the round trip may move a channel
    // by a unit or two.
    const off = segment.rgb.map((channel, index) => Math.abs(channel - (rgb[index] ?? -999)));
    assert.ok(Math.max(...off) <= 3, `segment "${segment.label}" is shown in ${row.colour}, ` +
              `expected rgb(${segment.rgb.join(', ')})`);
    console.log(`segment "${segment.label}" shown in ${row.colour}`);
  }
  // The voxels: OHIF's label map against the SEG read by pydicom, per segment.
  await expectVoxelsInPlace(irisSeg, '');
  step = 'jump to the last segment';
  await rowTitles.filter({ hasText: labels[labels.length - 1] }).first().click();
  await page.mouse.move(700, 880); // away from the row, whose statistics pop up on hover
  await page.waitForTimeout(2000);
  const screenshot = path.join(artifacts, 'ohif-iris-seg.png');
  await page.screenshot({ path: screenshot });
  console.log(`screenshot: ${screenshot}`);

  // Bad input 3: a SEG another tool made (dcmqi's liver SEG), alone in its study because the CT
  // it references was never sent. The study opens and lists it; opening it draws nothing.
  step = 'open the study of the dcmqi SEG';
  await page.goto(foreignStudyUrl);
  const foreignSeg = 'Liver Segmentation';
  await thumbnail(foreignSeg).waitFor();
  await openSeg(foreignSeg, false);
  await page.waitForTimeout(5000);
  const foreignShown = await page.locator('[data-cy="viewport-overlay-bottom-right"]',
                                          { hasText: imageIndex }).count();
  await page.screenshot({ path: path.join(artifacts, 'seg-from-dcmqi.png') });
  console.log(`dcmqi SEG without its CT: study listed it, viewport ${foreignShown ? 'shows an image' : 'empty'}`);
  step = 'go back to the Iris study';
  await openStudy();
  await openSeg(irisSeg, true);
  await showSegmentationPanel();
  await waitForRows(labels);
  console.log('the Iris study and its SEG open again after it');
  assert.deepEqual(pageErrors, [], 'OHIF threw uncaught errors');
  console.log(`OHIF shows the Iris SEG (${((Date.now() - started) / 1000).toFixed(1)} s in the browser)`);
} catch (error) {
  console.error(`FAILED at "${step}": ${error.message}`);
  if (pageErrors.length > 0) {
    console.error(`uncaught page errors:\n  ${pageErrors.join('\n  ')}`);
  }
  await page?.screenshot({ path: path.join(artifacts, 'failure.png') }).catch(() => {});
  process.exitCode = 1;
} finally {
  await browser.close();
}
