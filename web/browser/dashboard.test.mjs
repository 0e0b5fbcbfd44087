// The dashboard in a real Chromium against a real `modelhost serve` (see harness.mjs). Each test names what a user
// does and what they must see. Screenshots of every page go to web/test-results/.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { createKey, prepareRepository, root, screenshot, startBrowser, startServer, artifacts } from './harness.mjs';

const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const PAGES = ['/models', '/try?model=iris', '/try?model=face-front', '/try?model=plain', '/jobs', '/forecasts?series=DE', '/server'];

let repo, server, browser, page;
const timings = {};

before(async () => {
  repo = prepareRepository();
  server = await startServer(repo);
  browser = await startBrowser();
  page = await browser.context.newPage();
  page.setDefaultTimeout(30_000);
});

after(async () => {
  await browser?.close();
  await server?.stop();
  fs.mkdirSync(artifacts, { recursive: true });
  fs.writeFileSync(path.join(artifacts, 'timings.json'), JSON.stringify(timings, null, 2));
  if (repo) fs.rmSync(repo.dir, { recursive: true, force: true });
});

/** Milliseconds from the start of navigation to the models table showing iris. */
async function timeToModelsTable() {
  await page.goto(`${server.url}/models`);
  await page.locator('[data-testid=models-table] tr[data-model=iris]').waitFor();
  return page.evaluate(() => performance.now());
}

describe('the dashboard', () => {
  it('serves the models table in under a second', async () => {
    timings.modelsTableColdMs = Math.round(await timeToModelsTable());
    timings.modelsTableWarmMs = Math.round(await timeToModelsTable());
    assert.ok(timings.modelsTableWarmMs < 1000, `the models table took ${timings.modelsTableWarmMs} ms`);
    const row = page.locator('tr[data-model=iris]');
    await assert.doesNotReject(row.getByText('READY').first().waitFor());
    assert.match(await row.innerText(), /input FP32 \[-1, 4\]/);
    assert.match(await page.locator('tr[data-model=face-front]').innerText(), /detector/);
    await screenshot(page, 'models');
  });

  it('unloads and loads a model from the Models page', async () => {
    await page.goto(`${server.url}/models`);
    const row = page.locator('tr[data-model=face-back]');
    await row.getByRole('button', { name: 'Unload face-back' }).click();
    await row.locator('.badge', { hasText: 'UNLOADED' }).waitFor();
    await row.getByRole('button', { name: 'Load face-back' }).click();
    await row.locator('.badge', { hasText: 'READY' }).first().waitFor();
    const index = await (await fetch(`${server.url}/v2/repository/index`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })).json();
    assert.equal(index.find((m) => m.name === 'face-back').state, 'READY');
  });

  it('tries iris with the seed features and shows class 2, virginica', async () => {
    await page.goto(`${server.url}/try?model=iris`);
    const values = { sepal_length: '5.9', sepal_width: '3.0', petal_length: '5.1', petal_width: '1.8' };
    for (const [name, value] of Object.entries(values)) await page.getByLabel(name).fill(value);
    await page.getByRole('button', { name: 'Predict' }).click();
    await page.getByTestId('class-name').waitFor();
    assert.equal(await page.getByTestId('class-name').innerText(), 'virginica');
    assert.match(await page.getByTestId('prediction').innerText(), /Class 2/);
    await page.getByRole('tab', { name: 'tritonclient' }).click();
    assert.match(await page.locator('#snippet').innerText(), /np\.array\(\[5\.9,3,5\.1,1\.8\]/);
    await screenshot(page, 'try-iris');
  });

  it('shows p50 and p99 latency, queue time and batch size for iris on the Models page after some requests', async () => {
    const seed = JSON.stringify({ sepal_length: 5.9, sepal_width: 3.0, petal_length: 5.1, petal_width: 1.8 });
    for (let i = 0; i < 20; i++) {
      const r = await fetch(`${server.url}/predict`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: seed });
      assert.equal(r.status, 200);
    }
    await page.goto(`${server.url}/models`);
    const figures = page.getByTestId('latency-iris');
    // The first reading counts since the server started; the p99 of 20 answered requests is a duration.
    const duration = /^\d+(\.\d+)? (µs|ms|s)$/;
    await page.waitForFunction(
      (re) => new RegExp(re).test(document.querySelector('[data-testid=latency-iris] [data-figure=p99]')?.textContent ?? ''),
      duration.source,
    );
    assert.match(await figures.locator('[data-figure=p50]').innerText(), duration);
    assert.match(await figures.locator('[data-figure=queue]').innerText(), /^\d+(\.\d+)? (µs|ms|s)/);
    assert.match(await figures.locator('[data-figure=batch]').innerText(), /^\d+\.\d$/);
    // Polls later, more requests: the window's rate appears.
    for (let i = 0; i < 10; i++) await fetch(`${server.url}/predict`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: seed });
    await figures.getByText(/req\/s$/).waitFor({ timeout: 15_000 });
    await screenshot(page, 'models');
  });

  it('sends a webcam snapshot to the face detector and shows the result', async () => {
    await browser.context.grantPermissions(['camera'], { origin: server.url });
    await page.goto(`${server.url}/try?model=face-front`);
    await page.getByRole('button', { name: 'Use the webcam' }).click();
    await page.getByLabel('Webcam preview').waitFor();
    const take = page.getByRole('button', { name: 'Take a snapshot' });
    await page.waitForFunction(() => {
      const b = [...document.querySelectorAll('button')].find((x) => x.textContent === 'Take a snapshot');
      return b && !b.disabled;
    });
    const sent = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/v1/vision/face-front:detect'));
    await take.click();
    const request = await sent;
    const body = request.postDataJSON();
    // A JPEG from the fake camera's frame, base64 (JPEG starts with FF D8: "/9j/").
    assert.match(body.requests[0].image.content, /^\/9j\//);
    const answer = await (await request.response()).json();
    assert.ok(Array.isArray(answer.responses[0].detections), JSON.stringify(answer));
    await page.getByTestId('detection-count').getByText(/^\d+ detection\(s\) in snapshot\.jpg$/).waitFor();
    assert.equal(await page.getByTestId('detections-canvas').getAttribute('aria-label'), `snapshot.jpg with ${answer.responses[0].detections.length} detection(s) drawn`);
    assert.equal(await page.getByRole('alert').count(), 0, 'an error is shown');
    // The canvas holds the snapshot: it has the camera's size, scaled to fit 640×480.
    assert.ok((await page.getByTestId('detections-canvas').evaluate((c) => c.width)) > 0);
    await screenshot(page, 'try-webcam');
    await page.getByRole('button', { name: 'Stop the webcam' }).click();
    await page.getByRole('button', { name: 'Use the webcam' }).waitFor();
  });

  it('draws exactly one box near the face when the astronaut image is dropped on the face detector', async () => {
    await page.goto(`${server.url}/try?model=face-front`);
    const bytes = fs.readFileSync(path.join(root, 'tests/fixtures/images/astronaut.png')).toString('base64');
    await page.getByTestId('dropzone').waitFor();
    await page.evaluate(async (b64) => {
      const data = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const transfer = new DataTransfer();
      transfer.items.add(new File([data], 'astronaut.png', { type: 'image/png' }));
      const zone = document.querySelector('[data-testid=dropzone]');
      zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }));
      zone.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    }, bytes);
    await page.getByTestId('detection-count').getByText('1 detection(s)').waitFor();
    const cells = await page.locator('[data-testid=detections] tbody tr td').allInnerTexts();
    assert.equal(await page.locator('[data-testid=detections] tbody tr').count(), 1);
    const [label, , x, y, w, h] = cells;
    assert.equal(label, 'face');
    // The face in the 512×512 astronaut image is around (179, 81) to (272, 174).
    assert.ok(Math.abs(Number(x) - 179) < 20 && Math.abs(Number(y) - 81) < 20, `box at ${x}, ${y}`);
    assert.ok(Number(w) > 60 && Number(h) > 60 && Number(w) < 130, `box ${w}×${h}`);
    // The box is drawn: the canvas is yellow on its left edge, half way down.
    const drawn = await page.evaluate(([bx, by, bh]) => {
      const c = document.querySelector('[data-testid=detections-canvas]');
      const s = c.width / 512;
      const [r, g, b] = c.getContext('2d').getImageData(Math.round(bx * s), Math.round((by + bh / 2) * s), 1, 1).data;
      return r > 200 && g > 180 && b < 80;
    }, [Number(x), Number(y), Number(h)]);
    assert.ok(drawn, 'no box drawn on the canvas at the face');
    await screenshot(page, 'try-detect');
  });

  it('runs a model without features from the tensor editor and shows its outputs as tables', async () => {
    await page.goto(`${server.url}/try?model=plain`);
    const editor = page.getByLabel('KServe V2 request body');
    const template = JSON.parse(await editor.inputValue());
    assert.deepEqual(template.inputs[0], { name: 'input', datatype: 'FP32', shape: [1, 4], data: [[0, 0, 0, 0]] });
    template.inputs[0].data = [[5.9, 3.0, 5.1, 1.8]];
    await editor.fill(JSON.stringify(template));
    await page.getByRole('button', { name: 'Run' }).click();
    const label = page.locator('table', { has: page.locator('caption', { hasText: /^label INT64/ }) });
    await label.waitFor();
    assert.equal(await label.locator('tbody td').nth(1).innerText(), '2');
    await editor.fill('{"inputs": [{"name": "input", "datatype": "FP32", "shape": [1, 3], "data": [1, 2, 3]}]}');
    await page.getByRole('button', { name: 'Run' }).click();
    await page.getByRole('alert').waitFor();
    assert.match(await page.getByRole('alert').innerText(), /\(400\)$/);
    await screenshot(page, 'try-tensor');
  });

  it('follows a training job live to succeeded, and cancels another', async () => {
    await page.goto(`${server.url}/jobs`);
    // Record every progress value each job's row shows, from before the job exists, without reloading the page.
    await page.evaluate(() => {
      window.__progress = {};
      const read = () => {
        for (const bar of document.querySelectorAll('tr[data-job] progress')) {
          const id = bar.closest('tr').getAttribute('data-job');
          (window.__progress[id] ??= []).push(Number(bar.getAttribute('data-progress')));
        }
      };
      new MutationObserver(read).observe(document.body, { subtree: true, attributes: true, childList: true });
    });
    await page.getByLabel(/Train a model/).selectOption('iris');
    await page.getByRole('button', { name: 'Start training' }).click();
    await page.getByText(/Training job \d+ submitted/).waitFor();
    const first = Number((await page.getByText(/Training job \d+ submitted/).innerText()).match(/\d+/)[0]);
    await page.getByRole('button', { name: 'Start training' }).click();
    await page.getByText(`Training job ${first + 1} submitted`).waitFor();
    const second = first + 1;

    const secondRow = page.locator(`tr[data-job="${second}"]`);
    await secondRow.getByRole('button', { name: `Cancel job ${second}` }).click();
    await secondRow.locator('.badge', { hasText: 'cancelled' }).waitFor();

    const firstRow = page.locator(`tr[data-job="${first}"]`);
    await firstRow.locator('.badge', { hasText: 'succeeded' }).waitFor({ timeout: 180_000 });
    const seen = [...new Set(await page.evaluate((id) => window.__progress[id] ?? [], String(first)))];
    timings.progressValuesSeen = seen;
    assert.ok(seen.some((p) => p > 0 && p < 100), `no progress between 0 and 100 was shown: ${seen.join(', ')}`);
    assert.ok(seen.includes(100), `the job never showed 100%: ${seen.join(', ')}`);

    await firstRow.getByRole('button', { name: `Details of job ${first}` }).click();
    await page.getByTestId('job-log').getByText(/wrote .*model\.onnx/).waitFor();
    await screenshot(page, 'jobs');
  });

  it('retrains DE from the Forecasts page and the chart shows the new model version', async () => {
    await page.goto(`${server.url}/forecasts?series=DE`);
    await page.getByTestId('forecast-chart').locator('canvas').waitFor();
    await page.getByText('There is no forecast for DE yet').waitFor();
    await page.getByRole('button', { name: 'Retrain DE' }).click();
    await page.getByTestId('forecast-version').waitFor({ timeout: 180_000 });
    assert.equal(await page.getByTestId('forecast-version').innerText(), '1');
    assert.match(await page.getByTestId('forecast-facts').innerText(), /ETS\(/);
    assert.match(await page.locator('.u-title').innerText(), /forecast v1/);

    await page.getByRole('button', { name: 'Retrain DE' }).click();
    await page.getByTestId('forecast-version').getByText('2').waitFor({ timeout: 180_000 });
    assert.match(await page.locator('.u-title').innerText(), /forecast v2/);
    await screenshot(page, 'forecasts');

    // The pair's dependency is drawn on the Jobs page: train_forecast → forecast.
    await page.goto(`${server.url}/jobs?kind=forecast`);
    await page.getByLabel('Kind').selectOption('forecast');
    const row = page.locator('tbody tr').first();
    await row.getByRole('button', { name: /Details of job/ }).click();
    const graph = page.getByRole('img', { name: /^Dependencies: job \d+ before job \d+$/ });
    await graph.waitFor();
    assert.match(await page.locator('.job-details').innerText(), /Result/);
    await screenshot(page, 'jobs-graph');
  });

  it('shows the server version, repository and job store', async () => {
    await page.goto(`${server.url}/server`);
    const facts = page.getByTestId('server-facts');
    await facts.waitFor();
    const text = await facts.innerText();
    assert.match(text, /SQLite, 1 training and 2 prediction worker/);
    assert.ok(text.includes(repo.models), text);
    await screenshot(page, 'server');
  });

  it('has no serious or critical axe-core violations on any page', async () => {
    const found = [];
    for (const p of PAGES) {
      await page.goto(`${server.url}${p}`);
      await page.locator('h1').waitFor();
      await page.waitForLoadState('networkidle').catch(() => undefined);
      await page.evaluate(axeSource); // through the DevTools protocol: the page's CSP allows no inline script
      const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
      for (const v of result.violations) {
        if (v.impact === 'serious' || v.impact === 'critical') found.push(`${p}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(' ')).join('; ')}`);
      }
    }
    assert.deepEqual(found, []);
  });

  it('fits a 390-pixel phone screen without the page scrolling sideways', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      for (const p of PAGES) {
        await page.goto(`${server.url}${p}`);
        await page.locator('h1').waitFor();
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        const wide = await page.evaluate(() =>
          [...document.querySelectorAll('body *')]
            .filter((e) => e.getBoundingClientRect().right > 391 && !e.closest('.table-wrap, .chart, pre'))
            .slice(0, 5)
            .map((e) => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`),
        );
        assert.ok(width <= 390, `${p} is ${width} px wide: ${wide.join(', ')}`);
      }
      await page.goto(`${server.url}/models`);
      await page.locator('[data-testid=models-table]').waitFor();
      await screenshot(page, 'models-phone');
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });

  it('works from the keyboard: skip link, then the page links in order', async () => {
    await page.goto(`${server.url}/models`);
    // Tab before React has rendered the links leaves the focus on <body>: wait for the page first.
    await page.locator('[data-testid=models-table]').waitFor();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Models');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/try/);
    assert.equal(await page.locator('h1').innerText(), 'Try a model');
  });

  it('shows an API error in words in place, and a reconnecting banner when the server stops', async () => {
    await page.goto(`${server.url}/forecasts?series=XX`);
    await page.getByRole('alert').getByText(/no observations for 'XX'/).waitFor();
    await page.goto(`${server.url}/models`);
    await page.locator('[data-testid=models-table]').waitFor();
    await server.stop();
    await page.getByText('The server cannot be reached. Reconnecting').waitFor({ timeout: 20_000 });
    assert.ok(await page.locator('[data-testid=models-table]').isVisible(), 'the last data stays on screen');
  });
});

describe('the dashboard on a server with API keys', () => {
  let keyed, keyedRepo, keyedBrowser, p, viewer;

  before(async () => {
    keyedRepo = prepareRepository();
    viewer = createKey(keyedRepo, 'infer');
    keyed = await startServer(keyedRepo, { config: viewer.config, importSeries: false });
    keyedBrowser = await startBrowser();
    p = await keyedBrowser.context.newPage();
    p.setDefaultTimeout(30_000);
  });

  after(async () => {
    await keyedBrowser?.close();
    await keyed?.stop();
    if (keyedRepo) fs.rmSync(keyedRepo.dir, { recursive: true, force: true });
  });

  it('says in words that a key is needed, takes it once, and disables what its role cannot do', async () => {
    await p.goto(`${keyed.url}/models`);
    await p.getByRole('alert').getByText(/Not signed in \(401\).*API key/).waitFor();
    await p.getByLabel('API key').fill(viewer.key);
    await p.getByRole('button', { name: 'Use key' }).click();
    await p.locator('[data-testid=models-table] tr[data-model=iris]').waitFor();
    assert.ok(!p.url().includes(viewer.key), 'the key is in the URL');
    assert.equal(await p.evaluate(() => sessionStorage.getItem('modelhost.key')), viewer.key);
    const unload = p.locator('tr[data-model=iris]').getByRole('button', { name: 'Unload iris' });
    await p.getByText('Loading and unloading needs a key with the manage role.').waitFor();
    assert.ok(await unload.isDisabled(), 'Unload is enabled for an infer key');

    // The key stays for the tab: another page is allowed what infer allows, and a 403 in words for what it does not.
    await p.goto(`${keyed.url}/server`);
    await p.getByRole('alert').getByText(/Not allowed \(403\)/).waitFor();
    // Training and retraining need the train role: disabled, saying why.
    await p.goto(`${keyed.url}/jobs`);
    await p.getByText('Training needs a key with the train role.').waitFor();
    assert.ok(await p.getByRole('button', { name: 'Start training' }).isDisabled(), 'Start training is enabled for an infer key');
    await p.goto(`${keyed.url}/forecasts?series=DE`);
    await p.getByText('Retraining needs a key with the train role.').waitFor();
    assert.ok(await p.getByRole('button', { name: 'Retrain DE' }).isDisabled(), 'Retrain is enabled for an infer key');
    await p.goto(`${keyed.url}/try?model=iris`);
    for (const [name, value] of Object.entries({ sepal_length: '5.9', sepal_width: '3.0', petal_length: '5.1', petal_width: '1.8' })) {
      await p.getByLabel(name).fill(value);
    }
    await p.getByRole('button', { name: 'Predict' }).click();
    assert.equal(await p.getByTestId('class-name').innerText(), 'virginica');
    assert.match(await p.locator('#snippet').innerText(), /\$MODELHOST_TOKEN/);
    assert.ok(!(await p.locator('#snippet').innerText()).includes(viewer.key), 'the key is written into the snippet');
  });
});
