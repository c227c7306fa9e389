// What a user sees of the foundation: login, lockout, the org tree kept by the system administrator,
// the other consoles, logout. Screenshots go to e2e/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, login, shot } from './harness.mjs';

let server, browser;
before(async () => { server = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); server?.stop(); });

test('an officer logs in and sees org, roles and an explained empty worklist', async () => {
  const page = await browser.newPage({ locale: 'zh-CN' });
  // A station officer away on training when the month's plan was drawn: nothing of his is due, whatever
  // the date (the brigades' officers carry the demo year's due dates).
  await login(page, server.base, 'nanhu.station');
  await page.waitForURL(`${server.base}/`);
  const body = await page.textContent('main');
  assert.match(body, /东湖区南湖路消防救援站/);
  assert.match(body, /执法人员/);
  assert.match(body, /暂无待办/);
  await shot(page, '01-home-officer');
  await page.close();
});

test('the fifth wrong password locks the account and says until when', async () => {
  const page = await browser.newPage({ locale: 'zh-CN' });
  for (let i = 1; i <= 5; i++) {
    await login(page, server.base, 'xishan.liu', `Wrong-Password-${i}`);
    await page.waitForSelector('#flash .alert-error');
    const msg = await page.textContent('#flash');
    if (i < 5) assert.match(msg, /用户名或密码错误/);
    else assert.match(msg, /账户已锁定至 \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/);
  }
  await shot(page, '02-lockout');
  // Even the right password is refused while locked.
  await login(page, server.base, 'xishan.liu');
  await page.waitForSelector('#flash .alert-error');
  assert.match(await page.textContent('#flash'), /锁定/);
  await page.close();
});

test('the system administrator creates an org in the tree', async () => {
  const page = await browser.newPage({ locale: 'zh-CN' });
  await login(page, server.base, 'sysadmin');
  await page.waitForURL(`${server.base}/`);
  await page.click('nav.mainnav >> text=机构管理');
  await page.waitForSelector('#org-tree');
  await page.selectOption('#org-create select[name=parent_id]', { label: '　临江县消防救援大队' });
  await page.selectOption('#org-create select[name=level]', 'town');
  await page.fill('#org-create input[name=name]', '临江县白沙镇人民政府');
  await page.fill('#org-create input[name=short_name]', '白沙');
  await page.click('#org-create button[type=submit]');
  await page.waitForSelector('#org-tree >> text=临江县白沙镇人民政府');
  await shot(page, '03-org-created');
  // A bad level under a town is refused with a Chinese message and nothing is written.
  await page.selectOption('#org-create select[name=parent_id]', { label: '　临江县消防救援大队' });
  await page.fill('#org-create input[name=name]', '江');
  await page.click('#org-create button[type=submit]');
  await page.waitForSelector('#flash .alert-error');
  assert.match(await page.textContent('#flash'), /机构名称应为2至60个字/);
  await shot(page, '04-org-validation');
  await page.close();
});

test('logout ends the session and the old page is no longer reachable', async () => {
  const context = await browser.newContext({ locale: 'zh-CN' });
  const page = await context.newPage();
  await login(page, server.base, 'donghu.head');
  await page.waitForURL(`${server.base}/`);
  await page.click('#logout');
  await page.waitForURL(`${server.base}/login`);
  await page.goto(`${server.base}/`);
  assert.equal(new URL(page.url()).pathname, '/login');
  await context.close();
});

test('the other consoles render: accounts, policy, audit, calendar; and a phone-sized home', async () => {
  const page = await browser.newPage({ locale: 'zh-CN' });
  await login(page, server.base, 'sysadmin');
  await page.waitForURL(`${server.base}/`);
  await page.goto(`${server.base}/admin/accounts`);
  assert.match(await page.textContent('#accounts'), /张伟/);
  await shot(page, '05-accounts');
  await page.click('#accounts >> text=张伟');
  await page.waitForSelector('#account-edit');
  assert.match(await page.textContent('main'), /已过期，不能实施执法行为/);
  await shot(page, '05b-account-expired-certificate');
  await page.goto(`${server.base}/calendar?year=2026`);
  await page.fill('#deadline-form input[name=from]', '2026-02-12');
  await page.fill('#deadline-form input[name=working_days]', '3');
  await page.click('#deadline-form button[type=submit]');
  await page.waitForSelector('#deadline-result');
  assert.match(await page.textContent('#deadline-result'), /2026-02-24/);
  await shot(page, '06-calendar');
  await page.context().clearCookies();

  await login(page, server.base, 'secadmin');
  await page.waitForURL(`${server.base}/`);
  await page.goto(`${server.base}/security/policy`);
  assert.equal(await page.inputValue('input[name=password_min_length]'), '12');
  await shot(page, '07-policy');
  await page.context().clearCookies();

  await login(page, server.base, 'auditadmin');
  await page.waitForURL(`${server.base}/`);
  await page.goto(`${server.base}/audit?action=auth.login_failed`);
  assert.match(await page.textContent('#audit-table'), /xishan\.liu/);
  await shot(page, '08-audit');
  await page.close();

  const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, locale: 'zh-CN' });
  await login(phone, server.base, 'changqing.town');
  await phone.waitForURL(`${server.base}/`);
  assert.match(await phone.textContent('main'), /镇街执法人员/);
  await shot(phone, '09-home-phone');
  await phone.close();
});
