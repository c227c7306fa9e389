// Starts a real firelaw server on a fresh data folder and Debian's Chromium, for the browser tests.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

export const DEMO_PASSWORD = 'E2e-Demo-Pass-2026';
export const SHOTS = resolve(process.env.FIRELAW_SCREENSHOTS ?? 'screenshots');
mkdirSync(SHOTS, { recursive: true });

const BIN = resolve(process.env.FIRELAW_BIN ?? '../target/debug/firelaw');

/** Starts `firelaw serve --demo` on a free port; resolves with { base, stop }. */
export async function startServer() {
  const dir = mkdtempSync(join(tmpdir(), 'firelaw-e2e-'));
  const args = ['serve', '--data-dir', dir, '--listen', '127.0.0.1:0', '--demo', '--demo-password', DEMO_PASSWORD];
  if (process.env.FIRELAW_E2E_DATABASE_URL) args.push('--database-url', process.env.FIRELAW_E2E_DATABASE_URL);
  const child = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const base = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`server did not start:\n${out}`)), 60_000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/已启动：(http:\/\/[0-9.:]+)/);
      if (m && out.includes('演示账户')) { clearTimeout(timer); ok(m[1]); }
    });
    child.stderr.on('data', () => {});
    child.on('exit', (code) => { clearTimeout(timer); fail(new Error(`server exited ${code}:\n${out}`)); });
  });
  return {
    base,
    stop() { child.kill('SIGTERM'); rmSync(dir, { recursive: true, force: true }); },
  };
}

/** Launches Chromium with the flags this machine needs (no network beyond loopback, no sandbox as root). */
export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    // Users' browsers are Chinese: dates in inputs read 年/月/日.
    args: ['--lang=zh-CN', '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/** A desktop and a phone, as users have them. */
export const DESKTOP = { viewport: { width: 1280, height: 900 }, locale: 'zh-CN' };
export const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN' };

/** A page of its own context, logged in as `username` and on the home page. */
export async function loggedIn(browser, base, username, options = DESKTOP) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  await login(page, base, username);
  await page.waitForURL(`${base}/`);
  return page;
}

/** Logs in through the form. */
export async function login(page, base, username, password = DEMO_PASSWORD) {
  await page.goto(`${base}/login`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await page.click('#login-form button[type=submit]');
}

export async function shot(page, name) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}
