// Orthanc Explorer's series page, as an admin uses it: "Segment with Iris" queues a manual run
// and says so, and "Iris jobs of this series" opens the series' job list. Run by
// ohif-shows-seg.sh once the plugin has segmented the series.
// Environment: IRIS_ORTHANC_URL, IRIS_ORTHANC_USER, IRIS_ORTHANC_PASSWORD, IRIS_SERIES (Orthanc
// id of the segmented series), IRIS_ARTIFACTS, and chromium.mjs's.
import assert from 'node:assert/strict';
import path from 'node:path';
import { launchChromium } from './chromium.mjs';

const orthanc = process.env.IRIS_ORTHANC_URL;
const series = process.env.IRIS_SERIES;
const artifacts = process.env.IRIS_ARTIFACTS;
assert.ok(orthanc && series && artifacts, 'IRIS_ORTHANC_URL, IRIS_SERIES and IRIS_ARTIFACTS must be set');

const browser = await launchChromium();
let page;
try {
  const context = await browser.newContext({
    httpCredentials: { username: process.env.IRIS_ORTHANC_USER,
                       password: process.env.IRIS_ORTHANC_PASSWORD },
  });
  page = await context.newPage();
  page.setDefaultTimeout(60_000);
  await page.goto(`${orthanc}/app/explorer.html#series?uuid=${series}`);

  const segment = page.locator('#iris-segment');
  await segment.waitFor({ state: 'visible' });
  // The alert is accepted as it opens: a dialog left open blocks the page, and with it the click
  // that waits for the page to settle.
  const answered = new Promise((resolve) => {
    page.once('dialog', async (alert) => {
      const text = alert.message();
      await alert.accept();
      resolve(text);
    });
  });
  await segment.click();
  const message = await answered;
  console.log(`"Segment with Iris" answered: ${message}`);
  assert.match(message, /^Task hippocampus: job \d+ is (queued|running|succeeded)$/);

  const opened = page.context().waitForEvent('page');
  await page.locator('#iris-jobs').click();
  const jobsPage = await opened;
  await jobsPage.waitForLoadState();
  assert.equal(new URL(jobsPage.url()).pathname, '/iris/jobs');
  const jobs = JSON.parse(await jobsPage.locator('body').innerText());
  assert.ok(jobs.length >= 2 && jobs.every((job) => job.series === series),
            `expected the arrival job and the manual run of ${series}, got ${JSON.stringify(jobs)}`);
  console.log(`"Iris jobs of this series" listed ${jobs.length} jobs`);
  await page.screenshot({ path: path.join(artifacts, 'orthanc-explorer-series.png') });
} catch (error) {
  await page?.screenshot({ path: path.join(artifacts, 'orthanc-explorer-failure.png') }).catch(() => {});
  throw error;
} finally {
  await browser.close();
}
