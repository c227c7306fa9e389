// 委托执法 in the browser: the brigade's view of its entrusted town (duties behind, acts to review,
// handovers), a town officer on a phone inspecting a non-key unit (refused without video, saved with it,
// the record and order in the brigade's name), refused on a key unit and handing it over; the public list.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, shot, loggedIn, DESKTOP, PHONE } from './harness.mjs';

let server, browser;
before(async () => {
  server = await startServer();
  browser = await launch();
});
after(async () => { await browser?.close(); server?.stop(); });

const MP4 = Buffer.concat([Buffer.from('\0\0\0\x18ftypisom\0\0\x02\0isomiso2mp41', 'binary'), Buffer.alloc(512, 7)]);

/** A page logged in as `user`. */
const as = (user, options = DESKTOP) => loggedIn(browser, server.base, user, options);

test('the brigade oversees its town: agreement, duties, acts to review', async () => {
  const head = await as('donghu.head');
  await head.goto(`${server.base}/entrustments`);
  await head.waitForSelector('#agreements');
  assert.match(await head.textContent('#agreements'), /东湖区长青街道办事处/);
  assert.match(await head.textContent('#agreements'), /已解除|生效中/);
  await shot(head, '38-entrustments-list');
  await head.locator('#agreements a', { hasText: '长青街道' }).click();
  await head.waitForSelector('#duties');
  assert.ok(await head.locator('#town-officers tr').count() >= 3);
  assert.ok(await head.locator('#act-list tbody tr').count() >= 10);
  assert.match(await head.textContent('#act-counts'), /移交 \d+ 件/);
  await shot(head, '39-entrustment-detail');
  await head.context().close();
});

test('a town officer inspects a non-key unit on video and hands over a key unit', async () => {
  const xu = await as('changqing.town', PHONE);
  const units = await (await xu.request.get(`${server.base}/api/v1/units?per_page=50`)).json();
  const plain = units.units.find((u) => !u.key_unit);
  const key = units.units.find((u) => u.key_unit);
  assert.ok(plain && key, 'the demo town has a key and a non-key unit');

  await xu.goto(`${server.base}/units/${plain.id}`);
  await xu.click('#inspect-unit');
  await xu.waitForSelector('#entrusted-notice');
  assert.match(await xu.textContent('h1'), /镇（街道）消防安全检查记录/);
  await xu.locator('#officers label', { hasText: '周敏' }).locator('input').check();
  await xu.locator('#checklist li[data-code=G05] input[value=fail]').check({ force: true });
  await xu.locator('#hazards .hazard').first().locator('textarea[name=description]').fill('收银台旁灭火器压力不足1具');
  await xu.fill('#representative', '店主');
  await xu.click('#save-inspection');
  await xu.waitForSelector('#flash .alert-error');
  assert.match(await xu.textContent('#flash'), /全程录像/);
  await shot(xu, '40-town-inspection-refused-without-video-phone');
  await xu.setInputFiles('#evidence-input', { name: '记录仪.mp4', mimeType: 'video/mp4', buffer: MP4 });
  await xu.waitForSelector('#evidence li.done');
  await xu.click('#save-inspection');
  await xu.waitForURL(/\/inspections\/[0-9a-f-]+\?saved=1$/);
  assert.match(await xu.textContent('#review-status'), /待大队审查/);
  await xu.click('#issue-order');
  await xu.waitForSelector('#documents-card td:has-text("东湖消限字")');
  await xu.click('#issue-record');
  await xu.waitForSelector('#documents-card td:has-text("东湖消镇检字")');
  await shot(xu, '41-town-act-phone');

  // A key unit: no inspection offered, only the handover; the form refuses it too.
  await xu.goto(`${server.base}/units/${key.id}`);
  assert.equal(await xu.locator('#inspect-unit').count(), 0);
  const refused = await xu.goto(`${server.base}/inspections/new?unit_id=${key.id}`);
  assert.equal(refused.status(), 422);
  assert.match(await xu.textContent('main'), /重点单位/);
  await xu.goto(`${server.base}/units/${key.id}`);
  await xu.click('#handover-unit');
  await xu.waitForSelector('#handover-form');
  await xu.fill('textarea[name=matter]', '巡查发现该单位北侧安全出口上锁');
  await xu.setInputFiles('#handover-files', { name: '巡查.mp4', mimeType: 'video/mp4', buffer: MP4 });
  await xu.waitForSelector('#handover-evidence li:has-text("SM3")');
  await xu.click('#submit-handover');
  await xu.waitForURL(/\/handovers\/[0-9a-f-]+$/);
  assert.match(await xu.textContent('#handover-status'), /待大队接收/);
  await shot(xu, '42-handover-phone');
  const url = xu.url();
  await xu.context().close();

  // The brigade takes it up.
  const li = await as('donghu.li');
  await li.goto(url);
  await li.click('#accept-handover');
  await li.waitForSelector('#conclude-handover');
  assert.match(await li.textContent('#handover-status'), /大队办理中/);
  await li.context().close();
});

test('the entrustments are public without login', async () => {
  const context = await browser.newContext(DESKTOP);
  const page = await context.newPage();
  await page.goto(`${server.base}/public/entrustments`);
  await page.waitForSelector('#public-entrustments');
  const text = await page.textContent('#public-entrustments');
  assert.match(text, /东湖区长青街道办事处/);
  assert.match(text, /已解除/);
  await shot(page, '43-public-entrustments');
  await context.close();
});
