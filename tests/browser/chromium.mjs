// Debian's Chromium, headless through playwright-core, as every browser test here starts it.
// Environment: IRIS_NODE_MODULES (where npm ci put playwright-core, outside the source tree),
// IRIS_CHROMIUM (default /usr/bin/chromium).
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const { chromium } = await import(pathToFileURL(
  path.join(process.env.IRIS_NODE_MODULES ?? 'node_modules', 'playwright-core', 'index.mjs')).href);

export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.IRIS_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    // Software WebGL (SwiftShader) for Cornerstone's renderer; no network beyond 127.0.0.1.
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
           '--disable-component-update', '--no-first-run', '--enable-unsafe-swiftshader',
           '--use-angle=swiftshader'],
  });
}
