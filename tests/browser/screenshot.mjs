// The explorer's picture for docs/explorer.md: a running `rdrop serve`, one of
// the page's example drawings, a screenshot.
//   node tests/browser/screenshot.mjs URL OUT.png [seven|four-or-nine] [WIDTH]
// Prints each model's full-network class and its sub-networks' votes.
import { chromium } from 'playwright-core';

const [url, out, example = 'four-or-nine', width = '1280'] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: Number(width), height: 900 } });
  await page.goto(url);
  await page.waitForFunction(() => document.querySelectorAll('.model .run-select option').length >= 3);
  await page.waitForSelector('figure.chart path.curve');
  // the other example first, so the time shown is not the checkpoints' loading
  const [warm, shot] = example === 'seven' ? ['#sample-49', '#sample-7'] : ['#sample-7', '#sample-49'];
  for (const button of [warm, shot]) {
    await page.click(button);
    await page.waitForFunction(() => /computed in/.test(document.querySelector('#status').textContent));
    await page.waitForFunction(() => !document.querySelector('#status').dataset.busy);
  }
  for (const line of await page.$$eval('.model', (ms) => ms.map((m) =>
    `${m.querySelector('.run-name').textContent}: full network ${m.querySelector('.full-class').textContent}, ` +
    `${m.querySelector('.votes').textContent}, ${m.querySelector('.disagreement').textContent}`))) console.log(line);
  await page.screenshot({ path: out, fullPage: true });
} finally {
  await browser.close();
}
