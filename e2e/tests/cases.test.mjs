// Penalty cases in the browser: a 普通程序 case from 立案 to a published decision, each step taken by the
// person the law names (承办人, 机构负责人, 承办部门负责人, 法制审核人员), and a 简易程序 decision on a phone;
// then the public portal without login.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, shot, loggedIn, DESKTOP, PHONE } from './harness.mjs';

let server, browser;
before(async () => {
  server = await startServer();
  browser = await launch();
});
after(async () => { await browser?.close(); server?.stop(); });


/** A page logged in as `user`. */
const as = (user, options = DESKTOP) => loggedIn(browser, server.base, user, options);

/** Submits the form of a step on the case page; fails with the page's message when it is refused. */
async function step(page, url, name, fill = async () => {}) {
  await page.goto(url);
  const form = page.locator(`form[action$="/step/${name}"]`);
  await fill(form);
  const navigated = page.waitForEvent('framenavigated', { timeout: 15_000 }).catch(() => null);
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith(`/step/${name}`) && r.request().method() === 'POST'),
    form.locator('button[type=submit]').click(),
  ]);
  if (!response.ok()) assert.fail(`step ${name}: ${response.status()} ${await response.text()}`);
  await navigated;
  await page.waitForSelector('#case-status');
}

test('a general case runs from filing to a published decision, each step by its own person', async () => {
  const li = await as('donghu.li');
  await li.goto(`${server.base}/cases/new?q=东湖`);
  await li.locator('#unit-choices a').first().click();
  await li.waitForSelector('#case-form');
  await li.selectOption('select[name=co_handler_ids]', { label: '王磊' });
  await li.fill('input[name=title]', '占用、堵塞疏散通道案');
  await li.fill('textarea[name=facts]', '2026年11月检查发现，该单位二楼疏散通道被货物堵塞，北侧安全出口上锁，经责令改正后逾期未改正。');
  await shot(li, '28-case-new');
  await li.click('#open-case');
  await li.waitForURL(/\/cases\/[0-9a-f-]+$/);
  const url = li.url();
  assert.equal((await li.locator('#case-status').textContent()).trim(), '立案审批中');
  // The handler is not offered the approval.
  assert.equal(await li.locator('#step-approve_filing').count(), 0);

  const chief = await as('donghu.chief');
  await step(chief, url, 'approve_filing');
  assert.equal((await chief.locator('#case-status').textContent()).trim(), '调查取证');

  await step(li, url, 'record', async (f) => {
    await f.locator('select[name=kind]').selectOption('interview');
    await f.locator('input[name=person]').fill('店长周某');
    await f.locator('input[name=place]').fill('东湖区消防救援大队询问室');
    await f.locator('textarea[name=text]').fill('问：疏散通道为何堆放货物？\n答：临时卸货，未及时清理。');
  });
  // Outside the baseline without reasons: refused with the rule, nothing changes.
  await li.goto(url);
  const propose = li.locator('#propose-form');
  await propose.locator('select[name=violation_code]').selectOption('F60-1-3');
  await propose.locator('input[name=amount]').fill('40000');
  await propose.locator('button[type=submit]').click();
  await li.waitForFunction(() => document.querySelector('#flash').textContent.includes('推荐幅度'));
  await shot(li, '29-case-proposal-refused');
  await step(li, url, 'propose', async (f) => {
    await f.locator('select[name=violation_code]').selectOption('F60-1-3');
    await f.locator('input[name=amount]').fill('20000');
    await f.locator('textarea[name=factors]').fill('经责令后仍未改正');
  });
  assert.match(await li.locator('#recommendation').textContent(), /18,500元至36,500元/);

  const head = await as('donghu.head');
  await step(head, url, 'review_proposal');
  assert.equal((await head.locator('#case-status').textContent()).trim(), '已告知（陈述申辩期）');
  await step(li, url, 'statement', async (f) => {
    await f.locator('input[name=waived]').check();
  });
  await step(li, url, 'submit_review');
  const legal = await as('donghu.legal');
  await step(legal, url, 'legal_review');
  await step(chief, url, 'decide');
  assert.equal((await chief.locator('#case-status').textContent()).trim(), '已决定待送达');
  await step(li, url, 'serve', async (f) => {
    await f.locator('input[name=receiver]').fill('店长周某');
  });
  assert.equal((await li.locator('#case-status').textContent()).trim(), '待履行');
  assert.match(await li.locator('#documents').textContent(), /行政处罚决定书.*消罚决字/s);
  await shot(li, '30-case-executing');

  // The legal reviewer sees the redacted preview and publishes it.
  await legal.goto(url);
  await legal.locator('#publication').scrollIntoViewIfNeeded();
  await shot(legal, '31-case-publication-preview');
  await legal.click('#publish');
  await legal.waitForFunction(() => document.querySelector('#publication .status').textContent.includes('已公示'));

  // The public portal, without login, on a phone.
  const anon = await (await browser.newContext(PHONE)).newPage();
  await anon.goto(`${server.base}/public/decisions`);
  const rows = await anon.locator('#public-decisions tbody tr').count();
  assert.ok(rows >= 1);
  await shot(anon, '32-public-decisions-phone');
  await anon.locator('#public-decisions a').first().click();
  await anon.waitForSelector('#public-decision');
  const text = await anon.locator('#public-decision').textContent();
  assert.match(text, /罚款人民币/);
  assert.doesNotMatch(text, /1[3-9]\d{9}/, 'no phone number');
  await shot(anon, '33-public-decision-phone');
});

test('an officer decides a simple case on the spot on a phone, and the limit is enforced', async () => {
  const li = await as('donghu.li', PHONE);
  await li.goto(`${server.base}/cases/new?party=person&procedure=simple`);
  await li.waitForSelector('#case-form');
  await li.fill('input[name=party_name]', '赵小明');
  await li.fill('input[name=id_number]', '11010519491231002X');
  await li.fill('input[name=phone]', '13600001234');
  await li.selectOption('select[name=co_handler_ids]', { label: '王磊' });
  await li.fill('input[name=title]', '个人在楼梯间停放电动自行车充电案');
  await li.fill('textarea[name=facts]', '当事人在住宅楼楼梯间停放电动自行车并充电，占用疏散通道。');
  await li.selectOption('select[name=violation_code]', 'F60-2');
  await li.fill('input[name=fine]', '300');
  await li.check('input[name=warning]');
  await li.fill('input[name=place]', '东湖区建设路12号楼梯间');
  await li.check('input[name=facts_certain]');
  await li.click('#open-case');
  await li.waitForFunction(() => document.querySelector('#flash').textContent.includes('第五十一条'));
  await shot(li, '34-simple-case-limit-phone');
  await li.fill('input[name=fine]', '200');
  await li.click('#open-case');
  await li.waitForURL(/\/cases\/[0-9a-f-]+$/);
  assert.equal((await li.locator('#case-status').textContent()).trim(), '待履行');
  assert.match(await li.locator('#documents').textContent(), /当场处罚决定书/);
  const facts = await li.locator('#case-facts').textContent();
  assert.doesNotMatch(facts, /11010519491231002X/);
  await shot(li, '35-simple-case-phone');
});

test('the case list shows the demo cases in every state', async () => {
  const chief = await as('donghu.chief');
  await chief.goto(`${server.base}/cases`);
  const tabs = await chief.locator('nav.tabs').textContent();
  for (const s of ['立案审批中', '调查取证', '听证', '法制审核', '集体议案', '已决定待送达', '待履行', '申请强制执行', '已归档', '已移送']) {
    assert.ok(tabs.includes(s), `${s} in ${tabs}`);
  }
  await shot(chief, '36-case-list');
  // The case heard and off the baseline waits for the collective deliberation, offered to the head.
  await chief.goto(`${server.base}/cases?status=deliberation`);
  await chief.locator('#cases tbody a').first().click();
  await chief.waitForSelector('#case-status');
  assert.equal((await chief.locator('#case-status').textContent()).trim(), '集体议案');
  assert.match(await chief.locator('#case-facts').textContent(), /经过听证程序/);
  assert.equal(await chief.locator('#step-deliberate').count(), 1);
  await shot(chief, '37-case-deliberation');
  // The settings page carries the discretion baseline and the hearing thresholds.
  const admin = await as('sysadmin');
  await admin.goto(`${server.base}/admin/settings`);
  assert.match(await admin.locator('#penalty-settings-form').textContent(), /裁量基准/);
});
