// Starts a real `modelhost serve` on an OS-chosen loopback port with a temporary repository (a copy of the demo
// models, iris made trainable) and data directory (the demo series imported), and a real Chromium through
// playwright-core. Nothing here is mocked.
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const root = path.resolve(import.meta.dirname, '..', '..');
export const artifacts = path.join(root, 'web', 'test-results');

function findBinary() {
  const candidates = [process.env.MODELHOST_BIN, path.join(root, 'src/Modelhost/bin/Debug/net10.0/modelhost'), path.join(root, 'src/Modelhost/bin/Release/net10.0/modelhost')];
  const found = candidates.find((c) => c && fs.existsSync(c));
  if (!found) throw new Error('modelhost is not built: run `dotnet build src/Modelhost` first (or set MODELHOST_BIN)');
  return found;
}

export function prepareRepository() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modelhost-web-'));
  const models = path.join(dir, 'models');
  for (const name of ['iris', 'face-front', 'face-back']) {
    fs.cpSync(path.join(root, 'models', name), path.join(models, name), { recursive: true });
  }
  // Training iris: an external trainer that reports progress in steps a second apart, whatever the machine's speed,
  // and publishes a copy of version 1.
  fs.writeFileSync(
    path.join(models, 'iris', 'train.sh'),
    [
      'set -e',
      'echo "progress: 10 reading"', 'sleep 1',
      'echo "progress: 50 fitting"', 'sleep 1',
      'echo "progress: 90 writing"', 'sleep 1',
      'cp 1/model.onnx "$1/model.onnx"',
      'echo "wrote $1/model.onnx"',
    ].join('\n') + '\n',
  );
  // The demo's own training section (the built-in forest) is replaced by an external trainer whose progress the test
  // can watch move.
  const yamlPath = path.join(models, 'iris', 'model.yaml');
  const yaml = fs.readFileSync(yamlPath, 'utf8').split('\n').filter((line) => !line.startsWith('training:')).join('\n');
  fs.writeFileSync(yamlPath, yaml + '\ntraining: {trainer: external, command: ["sh", "train.sh", "{output_dir}"], timeout_s: 120}\n');
  // A model with no model.yaml: the Try page gives it the generic tensor editor.
  fs.mkdirSync(path.join(models, 'plain', '1'), { recursive: true });
  fs.copyFileSync(path.join(models, 'iris', '1', 'model.onnx'), path.join(models, 'plain', '1', 'model.onnx'));
  const data = path.join(dir, 'data');
  fs.mkdirSync(data);
  fs.copyFileSync(path.join(root, 'datasets', 'iris.csv'), path.join(data, 'iris.csv'));
  return { dir, models, data };
}

/** Creates an API key with `role` in a config file of the repository's folder; returns the file and the key. */
export function createKey(repo, role) {
  const config = path.join(repo.dir, 'modelhost.yaml');
  const out = execFileSync(findBinary(), ['token', 'create', '--name', `web-${role}`, '--role', role, '--config', config], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const key = /mh_\S+/.exec(out)?.[0];
  if (!key) throw new Error(`no key in the output of modelhost token create: ${out}`);
  return { config, key };
}

export async function startServer(repo, { config, importSeries = true } = {}) {
  const bin = findBinary();
  if (importSeries) {
    execFileSync(bin, ['data', 'import', path.join(root, 'datasets', 'eu_stock_markets.csv'), '--data-dir', repo.data], { stdio: 'pipe' });
  }
  const args = ['serve', '--models', repo.models, '--data-dir', repo.data, '--urls', 'http://127.0.0.1:0', '--grpc-urls', ''];
  if (config) args.push('--config', config);
  const child = spawn(bin, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: repo.dir,
    env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MODELHOST_'))),
  });
  let output = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start within 60 s:\n${output}`)), 60_000);
    const onData = (chunk) => {
      output += chunk;
      const m = /Now listening on: (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${code}:\n${output}`));
    });
  });
  child.removeAllListeners('exit');
  // Ready: every model loaded.
  for (let i = 0; i < 600; i++) {
    const r = await fetch(`${url}/v2/health/ready`).catch(() => null);
    if (r?.status === 200) break;
    await new Promise((res) => setTimeout(res, 100));
  }
  return {
    url,
    output: () => output,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export async function startBrowser() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'modelhost-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync',
      // A fake camera (a generated moving test picture) that needs no permission prompt: the webcam snapshot test.
      '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
    ],
  });
  return {
    context,
    close: async () => {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page, name) {
  fs.mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });
}
