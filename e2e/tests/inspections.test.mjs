// The inspection loop in the browser, on a phone-sized screen: a task or a unit → the record with a
// failed checklist item, a hazard with its deadline, a photo and a drawn signature → the correction order
// (numbered PDF, public verification) served → the party applies → the 复查 escalates the hazard → the
// agency head seals the place after a collective decision → the 重大火灾隐患 determination → the worklist.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, launch, login, shot, PHONE } from './harness.mjs';

let server, browser, dir;
before(async () => {
  server = await startServer();
  browser = await launch();
  dir = mkdtempSync(join(tmpdir(), 'firelaw-e2e-photo-'));
});
after(async () => { await browser?.close(); server?.stop(); rmSync(dir, { recursive: true, force: true }); });


async function sign(page, selector) {
  await page.locator(selector).scrollIntoViewIfNeeded();
  const box = await page.locator(selector).boundingBox();
  await page.mouse.move(box.x + 20, box.y + box.height / 2);
  await page.mouse.down();
  for (let i = 1; i <= 12; i++) await page.mouse.move(box.x + 20 + i * 20, box.y + box.height / 2 + (i % 2 ? -25 : 25));
  await page.mouse.up();
}

test('an officer records an inspection on a phone, orders correction, re-inspects and escalates', async () => {
  const page = await browser.newPage(PHONE);
  // A real JPEG to upload as the site photo.
  await page.setContent('<div style="width:320px;height:240px;background:linear-gradient(#c33,#fc6)">疏散通道</div>');
  writeFileSync(join(dir, '现场.jpg'), await page.screenshot({ type: 'jpeg', clip: { x: 0, y: 0, width: 320, height: 240 } }));

  await login(page, server.base, 'donghu.li');
  await page.waitForURL(`${server.base}/`);
  await page.goto(`${server.base}/inspections/new?q=东湖`);
  await page.locator('#unit-choices a').first().click();
  await page.waitForSelector('#inspection-form');
  const unitName = (await page.locator('h1 small').textContent()).trim();

  // Two officers: me (checked) and 王磊.
  await page.locator('#officers label', { hasText: '王磊' }).locator('input').check();
  // G07 fails: a hazard opens for it with its basis and a suggested deadline.
  await page.locator('#checklist li[data-code=G07] input[value=fail]').check({ force: true });
  await page.locator('#checklist li[data-code=G05] input[value=pass]').check({ force: true });
  const hazard = page.locator('#hazards .hazard').first();
  await hazard.locator('textarea[name=description]').fill('三楼东侧疏散通道堆放纸箱约20箱');
  assert.match(await hazard.locator('[name=basis]').inputValue(), /第六十条/);
  assert.match(await hazard.locator('input[name=deadline]').inputValue(), /^\d{4}-\d{2}-\d{2}$/);
  await page.setInputFiles('#evidence-input', join(dir, '现场.jpg'));
  await page.waitForSelector('#evidence li.done img');
  await page.fill('#representative', '周经理');
  await sign(page, '#pads .pad[data-role=representative] canvas');
  await sign(page, '#officer-pads .pad >> nth=0 >> canvas');
  await shot(page, '19-inspection-form-phone');

  await page.click('#save-inspection');
  await page.waitForURL(/\/inspections\/[0-9a-f-]+\?saved=1$/);
  const detailUrl = page.url().replace('?saved=1', '');
  assert.match(await page.textContent('main'), /请在3个工作日内制作并送达责令限期改正通知书/);
  assert.equal(await page.locator('#signatures img').count(), 2);
  assert.equal(await page.locator('#photos img').count(), 1);

  // The order: numbered, with PDF and a public verification page.
  await page.click('#issue-order');
  await page.waitForSelector('#documents-card td:has-text("消限字")');
  const number = (await page.locator('#documents-card td.nowrap').first().textContent()).trim();
  assert.match(number, /^东湖消限字〔\d{4}〕第\d{4}号$/);
  await shot(page, '20-inspection-detail-phone');
  const verifyHref = await page.locator('#documents-card a[href^="/verify/"]').first().getAttribute('href');
  const pdf = await page.request.get(`${server.base}${await page.locator('#documents-card a.pdf-link').first().getAttribute('href')}`);
  assert.equal(pdf.status(), 200);
  assert.equal((await pdf.body()).subarray(0, 5).toString(), '%PDF-');

  // Served to 周经理.
  await page.locator('#documents-card details summary').first().click();
  await page.fill('.serve-form input[name=receiver]', '周经理');
  await page.click('.serve-form button[type=submit]');
  await page.waitForSelector('#documents-card td:has-text("直接送达")');

  // Anyone can verify the document without logging in.
  const anon = await browser.newPage(PHONE);
  await anon.goto(`${server.base}${verifyHref}`);
  assert.match(await anon.textContent('#verification'), new RegExp(number.replace(/[〔〕]/g, '.')));
  assert.match(await anon.textContent('#verification'), /已送达/);
  await shot(anon, '21-document-verification');
  await anon.close();

  // The party applies for a 复查; the 复查 escalates the hazard to a seal.
  await page.locator('#hazards details summary', { hasText: '单位申请复查' }).click();
  await page.locator('#hazards form[action$="/apply"] button').click();
  await page.waitForSelector('#hazards .hint:has-text("申请复查")');
  await page.click('#reinspect');
  await page.waitForSelector('#outcomes');
  await page.locator('#officers label', { hasText: '王磊' }).locator('input').check();
  await page.locator('#outcomes input[value=not]').check({ force: true });
  await page.selectOption('#outcomes select', 'seal');
  await page.fill('#representative', '周经理');
  await shot(page, '22-reinspection-form-phone');
  await page.click('#save-inspection');
  await page.waitForURL(/\/inspections\/[0-9a-f-]+\?saved=1$/);
  await page.click('#issue-opinion');
  await page.waitForSelector('#documents-card td:has-text("消复字")');
  await page.goto(detailUrl);
  assert.match(await page.textContent('#hazards'), /已移送处理/);
  assert.match(await page.textContent('#hazards'), /临时查封/);

  // The worklist on a phone.
  await page.goto(`${server.base}/worklist`);
  await shot(page, '23-worklist-phone');
  await page.close();

  // The agency head seals the place after a collective decision, and determines a major hazard.
  const desk = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
  await login(desk, server.base, 'donghu.chief');
  await desk.waitForURL(`${server.base}/`);
  await desk.goto(detailUrl);
  await desk.click('#new-measure');
  await desk.waitForSelector('#measure-form');
  await desk.check('#measure-form input[value=exits_insufficient]');
  await desk.fill('#measure-form textarea[name=facts]', '该场所三楼疏散通道堆放大量纸箱，逾期未改正，已不具备安全疏散条件');
  await desk.fill('#measure-form input[name=scope]', '三楼营业区');
  await desk.fill('#measure-form input[name=attendees]', '李明、赵婷');
  await desk.fill('#measure-form textarea[name=minutes]', '经集体研究，该场所疏散通道严重堵塞，同意临时查封三十日。');
  await shot(desk, '24-seal-form');
  await desk.click('#create-measure');
  await desk.waitForURL(/\/measures\/[0-9a-f-]+$/);
  assert.match(await desk.textContent('main'), /东湖消封字〔\d{4}〕第\d{4}号/);
  assert.match(await desk.textContent('#measure-facts'), /执行中/);
  await shot(desk, '25-seal-in-force');

  await desk.goto(detailUrl);
  await desk.click('#new-major');
  await desk.waitForSelector('#major-form');
  assert.match(await desk.textContent('main'), /GB 35181-2025/);
  await desk.locator('#major-form input[name=elements][value=D5]').check();
  await desk.fill('#major-form input[name=attendees]', '李明、赵婷');
  await desk.fill('#major-form textarea[name=minutes]', '经集体讨论，营业厅内存放汽油，符合直接判定要素。');
  await shot(desk, '26-major-hazard-form');
  await desk.click('#determine');
  await desk.waitForURL(/\/major-hazards\/[0-9a-f-]+$/);
  assert.match(await desk.textContent('#major-facts'), /已认定，待报告政府/);
  assert.match(await desk.textContent('main'), /消重改字/);
  await shot(desk, '27-major-hazard');
  await desk.goto(`${server.base}/inspections?tab=measures`);
  assert.match(await desk.textContent('#measures'), new RegExp(unitName.slice(0, 4)));
  await desk.close();
});
