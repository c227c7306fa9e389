// What a brigade sees of the registry and the random checks: an import with a bad row reported by row,
// column and problem; a plan drafted, announced, drawn, a result recorded and published on the public
// portal. Screenshots go to e2e/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, launch, login, shot } from './harness.mjs';

let server, browser, dir;
before(async () => {
  server = await startServer();
  browser = await launch();
  dir = mkdtempSync(join(tmpdir(), 'firelaw-e2e-files-'));
});
after(async () => { await browser?.close(); server?.stop(); rmSync(dir, { recursive: true, force: true }); });

const HEADER = '统一社会信用代码*,单位名称*,地址*,管辖机构,场所类别*,建筑面积,层数,床位数,客房数,从业人员数,消防安全责任人,责任人电话,责任人身份证号,消防安全管理人,管理人电话,经营状态,风险等级';
// Valid codes (check characters computed per GB 32100).
const ROWS = [
  '91420106MA5200001W,江城浏览器导入一号店,江城市东湖区浏览器路1号,,商场市场,1200,2,,,,周一,13900000011,,,,,',
  '91420106MA52000020,江城浏览器导入二号店,江城市东湖区浏览器路2号,,网吧,100,1,,,,,,,,,,',
  '91420106MA52000033,江城浏览器导入三号店,江城市东湖区浏览器路3号,,餐饮场所,80,1,,,,,,,,,,',
];

async function upload(page, mode) {
  await page.goto(`${server.base}/units/import`);
  await page.setInputFiles('#import-form input[name=file]', join(dir, 'units.csv'));
  await page.check(`#import-form input[name=mode][value=${mode}]`);
  await page.click('#import-form button[type=submit]');
  await page.waitForURL(/\/units\/import\/[0-9a-f-]+$/);
  await page.waitForSelector('#import-state:not([data-status=validating]):not([data-status=importing])', { timeout: 30_000 });
}

test('an import with a bad row names row, column and problem; the good rows can then be imported', async () => {
  writeFileSync(join(dir, 'units.csv'), [HEADER, ...ROWS].join('\n'));
  const page = await browser.newPage({ locale: 'zh-CN' });
  await login(page, server.base, 'donghu.head');
  await page.waitForURL(`${server.base}/`);
  await upload(page, 'all_or_nothing');
  assert.equal(await page.getAttribute('#import-state', 'data-status'), 'rejected');
  const report = await page.textContent('#import-errors');
  assert.match(report, /第 3 行/);
  assert.match(report, /场所类别/);
  assert.match(report, /未知的场所类别“网吧”/);
  assert.equal((await page.textContent('#n-inserted')).trim(), '0');
  await shot(page, '10-import-rejected');

  await upload(page, 'good_rows');
  assert.equal(await page.getAttribute('#import-state', 'data-status'), 'done');
  assert.equal((await page.textContent('#n-inserted')).trim(), '2');
  assert.equal((await page.textContent('#n-failed')).trim(), '1');
  await shot(page, '11-import-good-rows');

  // The imported unit is found by two characters of its name, and its number is masked.
  await page.goto(`${server.base}/units`);
  await page.fill('#q', '浏览');
  await page.waitForFunction(() => document.querySelector('#unit-count')?.textContent.includes('共 2 家'));
  await shot(page, '12-units-search');
  await page.click('#units >> text=江城浏览器导入一号店');
  await page.waitForSelector('#unit-facts');
  assert.match(await page.textContent('#unit-facts'), /139\*\*\*\*0011/);
  // The key-unit proposal is confirmed by a person.
  await page.waitForSelector('#key-proposal');
  await page.click('#key-proposal button[type=submit]');
  // The page reloads without the proposal once the designation is confirmed.
  await page.waitForSelector('#key-proposal', { state: 'detached' });
  await page.waitForLoadState('load');
  assert.match(await page.textContent('#key-unit'), /第1类 商场（市场）/);
  assert.match(await page.textContent('#unit-history'), /认定为消防安全重点单位/);
  await shot(page, '13-unit-detail');
  await page.close();
});

test('a plan is drafted, announced, drawn, a result recorded and published for the public', async () => {
  const page = await browser.newPage({ locale: 'zh-CN' });
  page.on('dialog', (d) => d.accept());
  await login(page, server.base, 'donghu.head');
  await page.waitForURL(`${server.base}/`);
  await page.goto(`${server.base}/checks`);
  const now = new Date(Date.now() + 8 * 3600 * 1000);
  const period = `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
  await page.selectOption('#plan-create select[name=item_id]', { label: '其他消防安全重点单位消防监督抽查' });
  await page.fill('#plan-create input[name=period]', period);
  await page.fill('#plan-create input[name=quantity]', '30%');
  await page.fill('#plan-create input[name=exclude_recent_days]', '0');
  await page.uncheck('#plan-create input[name=rotation]');
  await page.click('#plan-create button[type=submit]');
  await page.waitForSelector('#pool-preview');
  assert.match(await page.textContent('#pool-preview'), /张伟：执法资格证2026-06-30到期/);
  await shot(page, '14-plan-draft');

  await page.click('#announce');
  await page.waitForSelector('#draw-form');
  assert.match(await page.textContent('#plan-status'), /已公布待抽取/);
  assert.match(await page.textContent('#draw-inputs'), /随机数承诺/);
  await shot(page, '15-plan-announced');

  await page.fill('#draw-form input[name=beacon]', '测试：当日公开随机值 7 2 9');
  await page.click('#draw');
  await page.waitForSelector('#tasks');
  assert.match(await page.textContent('#plan-status'), /已抽取/);
  assert.match(await page.textContent('#seed'), /^[0-9a-f]{64}$/);
  const first = page.locator('#tasks tbody tr').first();
  await first.locator('summary').click();
  await first.locator('select[name=result]').selectOption('ordered_to_correct');
  await first.locator('input[name=note]').fill('发现1处疏散指示标志损坏，已责令改正');
  await first.locator('button[type=submit]').click();
  await page.waitForSelector('#publish');
  await page.click('#publish');
  await page.waitForSelector('#tasks >> text=已公示');
  await shot(page, '16-plan-drawn');
  const planUrl = page.url().split('#')[0];
  const id = planUrl.split('/').pop();
  await page.close();

  // The public portal: no login.
  const anon = await browser.newPage({ locale: 'zh-CN' });
  await anon.goto(`${server.base}/public/checks/${id}`);
  assert.match(await anon.textContent('#public-status'), /已抽取/);
  assert.match(await anon.textContent('#public-seed'), /^[0-9a-f]{64}$/);
  assert.match(await anon.textContent('#public-tasks'), /发现问题，已责令改正/);
  assert.match(await anon.textContent('#public-tasks'), /待公示/);
  await shot(anon, '17-public-plan');
  const record = await anon.request.get(`${server.base}/public/checks/${id}/record.json`);
  assert.equal(record.status(), 200);
  const json = await record.json();
  assert.equal(json.format, 'firelaw-draw/1');
  await anon.close();

  const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, locale: 'zh-CN' });
  await phone.goto(`${server.base}/public/checks/${id}`);
  await shot(phone, '18-public-plan-phone');
  await phone.close();
});
