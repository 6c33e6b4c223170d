// The explorer in a real browser: Debian's chromium, headless, driven by
// playwright-core (tests/browser/package-lock.json). Run by tests/cli/browser.sh:
//   node tests/browser/explorer.mjs URL RDROP CKPT_DIR OUT_DIR
// URL: a running `rdrop serve` over run folders whose names end in -dropout
// and -rdrop; RDROP: the binary (for `rdrop predict` on the same PNG);
// CKPT_DIR: the folder of those runs; OUT_DIR: screenshots and the drawn PNG.
// Prints one line per check and "explorer.mjs: N passed, M failed".
import { execFileSync } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const [url, rdrop, runsDir, outDir] = process.argv.slice(2);
let passed = 0, failed = 0;
function check(ok, what) {
  if (ok) passed++; else failed++;
  console.log(`${ok ? 'ok' : 'FAIL'}: ${what}`);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const problems = [];
async function newPage(options) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
  page.on('request', (r) => { if (!r.url().startsWith(url) && !r.url().startsWith('data:')) problems.push(`request outside the server: ${r.url()}`); });
  return page;
}

// The strokes of a 7, in [0,1] of the pad: a bar, then the diagonal.
const SEVEN = [[[0.25, 0.22], [0.75, 0.22]], [[0.75, 0.22], [0.62, 0.5], [0.45, 0.82]]];

async function drawWithMouse(page, strokes) {
  const box = await page.locator('#pad').boundingBox();
  for (const s of strokes) {
    await page.mouse.move(box.x + s[0][0] * box.width, box.y + s[0][1] * box.height);
    await page.mouse.down();
    for (const [x, y] of s.slice(1)) await page.mouse.move(box.x + x * box.width, box.y + y * box.height, { steps: 12 });
    await page.mouse.up();
  }
}

// Waits until no request is in flight (each stroke sends the drawing; the
// page sends it again once the answer to an earlier stroke is in) and both
// models have answered for this seed, then reads the answers.
async function answers(page, seed) {
  await page.waitForFunction((s) => !document.querySelector('#status').dataset.busy &&
    [...document.querySelectorAll('.model .result')]
      .every((r) => r.dataset.seed === String(s) && r.querySelector('.subnet')), seed, { timeout: 20000 });
  return page.$$eval('.model', (models) => models.map((m) => ({
    run: m.querySelector('.run-name')?.textContent,
    full: Number(m.querySelector('.full-class').dataset.class),
    probs: [...m.querySelectorAll('rect.bar')].map((b) => Number(b.dataset.prob)),
    cells: [...m.querySelectorAll('.subnet')].map((c) => `${c.dataset.class}:${c.dataset.conf}`),
  })));
}

// `rdrop predict CKPT PNG` -> {cls, top: [[class, prob] x 3]}
function predictCli(ckpt, png) {
  const out = execFileSync(rdrop, ['predict', ckpt, png], { encoding: 'utf8' });
  const m = out.match(/: (\d+) {2}\((.*)\)/);
  return { cls: Number(m[1]), top: m[2].split(', ').map((p) => p.split(': ').map(Number)) };
}

try {
  // ---- a laptop
  const page = await newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(url);
  await page.waitForSelector('#run-table tbody tr[data-run]');
  await page.waitForFunction(() => document.querySelectorAll('.model .run-select option').length >= 4);
  const chosen = await page.$$eval('.model .run-select', (s) => s.map((x) => x.selectedOptions[0].textContent));
  check(/-dropout \(dropout\)$/.test(chosen[0]) && /-rdrop \(R-Drop/.test(chosen[1]),
    `by default model A is the dropout run, model B the R-Drop run (${chosen.join(' | ')})`);

  await drawWithMouse(page, SEVEN);
  const first = await answers(page, 1);
  const png = `${outDir}/drawn-seven.png`;
  const dataUrl = await page.evaluate(() => document.querySelector('#pad').toDataURL('image/png'));
  writeFileSync(png, Buffer.from(dataUrl.split(',')[1], 'base64'));
  for (const [i, name] of [[0, 'dropout'], [1, 'rdrop']]) {
    const cli = predictCli(`${runsDir}/small-${name}/last.ckpt`, png);
    const m = first[i];
    check(m.full === cli.cls, `${name}: the page's full-network class ${m.full} is rdrop predict's ${cli.cls}`);
    const same = cli.top.every(([c, p]) => Math.abs(m.probs[c] - p) <= 0.00005 + 1e-7);
    check(same, `${name}: the page's probabilities equal rdrop predict's top 3 to 4 decimals ` +
      `(${cli.top.map(([c, p]) => `${c}: ${p} vs ${m.probs[c].toFixed(4)}`).join(', ')})`);
    check(m.cells.length === 16, `${name}: 16 sub-network cells (${m.cells.length})`);
  }
  const seenLit = await page.evaluate(() => {
    const d = document.querySelector('#seen').getContext('2d').getImageData(0, 0, 28, 28).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) n += d[i] > 0;
    return n;
  });
  check(seenLit > 20 && seenLit < 400, `the 28x28 view shows the fitted digit (${seenLit} lit pixels)`);
  const disagreement = await page.$$eval('.disagreement', (d) => d.map((x) => x.dataset.value));
  check(disagreement.every((v) => v !== '' && Number(v) >= 0), `each model shows its disagreement (${disagreement.join(', ')})`);

  // new masks: other cells; the old seed again: the same cells as before
  await page.click('#new-masks');
  const seed2 = Number(await page.inputValue('#seed'));
  const second = await answers(page, seed2);
  check(seed2 !== 1 && second[0].cells.join() !== first[0].cells.join(),
    `"New masks" (seed ${seed2}) gives other sub-networks`);
  check(second[0].full === first[0].full && second[0].probs.join() === first[0].probs.join(),
    'new masks leave the full network as it was');
  await page.fill('#seed', '1');
  await page.dispatchEvent('#seed', 'change');
  const again = await answers(page, 1);
  check(again[0].cells.join() === first[0].cells.join() && again[1].cells.join() === first[1].cells.join(),
    'seed 1 again gives the same sub-networks as the first time');
  await page.fill('#seed', String(seed2));
  await page.dispatchEvent('#seed', 'change');
  const again2 = await answers(page, seed2);
  check(again2[1].cells.join() === second[1].cells.join(), `seed ${seed2} again gives its sub-networks again`);

  // the runs view: both runs listed, each with a test-error curve
  const rows = await page.$$eval('#run-table tbody tr[data-run] td.name', (t) => t.map((x) => x.textContent));
  check(rows.some((r) => r.endsWith('small-dropout')) && rows.some((r) => r.endsWith('small-rdrop')),
    `the runs table lists both runs (${rows.join(', ')})`);
  await page.waitForSelector('figure.chart[data-metric="test_err"] path.curve');
  const curves = await page.$$eval('figure.chart[data-metric="test_err"] path.curve', (p) => p.length);
  check(curves === 2, `the test error chart draws a curve per run (${curves})`);
  const klChart = await page.$$('figure.chart[data-metric="test_kl"] path.curve');
  check(klChart.length === 2, 'the test_kl chart draws both runs');
  await page.screenshot({ path: `${outDir}/explorer-desktop.png`, fullPage: true });

  // a run still training: a new epoch in metrics.csv reaches the table and
  // the curves by itself (the page asks every 5 s)
  const metrics = `${runsDir}/small-dropout/metrics.csv`;
  const row = readFileSync(metrics, 'utf8').trim().split('\n').pop().split(',');
  row[0] = String(Number(row[0]) + 1);
  appendFileSync(metrics, row.join(',') + '\n');
  const grown = await page.waitForFunction((epoch) => {
    const tr = [...document.querySelectorAll('#run-table tbody tr[data-run]')]
      .find((t) => t.querySelector('td.name').textContent.endsWith('small-dropout'));
    const path = tr && document.querySelector(`figure.chart[data-metric="test_err"] path.curve[data-run="${tr.dataset.run}"]`);
    return tr && tr.children[5].textContent.startsWith(`${epoch} `) && path &&
      (path.getAttribute('d').match(/[ML]/g) || []).length === epoch;
  }, Number(row[0]), { timeout: 15000 }).then(() => true, () => false);
  check(grown, `a new epoch in metrics.csv (epoch ${row[0]}) appears in the table and the curve by itself`);

  // keyboard: Tab to the example button and press Enter
  await page.click('#clear');
  await page.focus('#clear');
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => document.activeElement.id);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelectorAll('.model .subnet').length === 32, null, { timeout: 20000 });
  check(focused === 'sample-7', `the keyboard reaches "Example: 7" and Enter draws it (${focused})`);

  // ---- a phone
  const phone = await newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  await phone.goto(url);
  await phone.waitForFunction(() => document.querySelectorAll('.model .run-select option').length >= 4);
  await drawWithMouse(phone, SEVEN);
  await answers(phone, 1);
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 0, `on a phone the page fits the screen's width (overflow ${overflow}px)`);
  await phone.screenshot({ path: `${outDir}/explorer-phone.png` }); // the first screen
  await phone.locator('#models').screenshot({ path: `${outDir}/explorer-phone-models.png` });

  check(problems.length === 0, `no console errors or warnings, no failed or outside requests${problems.length ? ': ' + problems.join('; ') : ''}`);
} catch (e) {
  check(false, `the browser test stopped: ${e.stack || e}`);
} finally {
  await browser.close();
}
console.log(`explorer.mjs: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
