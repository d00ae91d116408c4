/**
 * What every browser test needs: a real Visage server (web app included) on a free port over a
 * fresh in-memory database, a Chromium with a throw-away profile, and a way to seed users through
 * the API and to read the mail the server sent.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { loadConfig } from '../src/platform/config.js';
import { createVisage, type Visage } from '../src/server.js';
import type { MailMessage } from '../src/platform/mail/mail.js';
import { testDatabase } from '../test/helpers.js';

const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic',
];

export interface Harness {
  baseUrl: string;
  /** The server under test (its deps, for seeding the demo data). */
  visage: Visage;
  browser: BrowserContext;
  mail: MailMessage[];
  /** Calls the API as a plain HTTP client (no browser), for seeding. */
  call<T = any>(method: string, url: string, body?: unknown, token?: string, org?: string): Promise<{ status: number; body: T }>;
  /** Waits for a mail to `to` whose text matches `pattern`, and returns the first capture group. */
  mailed(to: string, pattern: RegExp): Promise<string>;
  close(): Promise<void>;
}

/**
 * Registers one browser test file's life: before its tests, a harness and a page handed to `start`
 * (which keeps them and seeds); a full-page screenshot of each failing test at
 * /tmp/visage-<name>-failed-<test>.png; everything closed after the tests.
 */
export function browserSuite(name: string, start: (h: Harness, page: Page) => Promise<void>): void {
  let h: Harness | undefined;
  let page: Page | undefined;
  beforeAll(async () => {
    h = await startHarness();
    page = await h.browser.newPage();
    await start(h, page);
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail' || !page) return;
    const test = ctx.task.name.split(' ').slice(0, 3).join('-').replace(/[^\w-]/g, '');
    await page.screenshot({ path: `/tmp/visage-${name}-failed-${test}.png`, fullPage: true }).catch(() => undefined);
  });
  afterAll(async () => { await h?.close(); });
}

/** Fills the sign-in form the page shows and submits it from the keyboard, as many people do. */
export async function submitSignIn(page: Page, user: { email: string; password: string }): Promise<void> {
  await page.getByTestId('signin-email').fill(user.email);
  await page.getByTestId('signin-password').fill(user.password);
  await page.getByTestId('signin-password').press('Enter');
}

/** Signs the current user out through the user menu and signs `user` in, up to the app's navigation. */
export async function switchUser(page: Page, user: { email: string; password: string }): Promise<void> {
  await page.getByTestId('user-menu').click();
  await page.getByTestId('sign-out').click();
  await page.getByTestId('signin-page').waitFor();
  await submitSignIn(page, user);
  await page.getByTestId('nav-patients').waitFor();
}

export async function startHarness(): Promise<Harness> {
  const db = await testDatabase();
  const mail: MailMessage[] = [];
  // Uploaded files and keys go to a directory of this run, removed on close.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'visage-e2e-data-'));
  const config = loadConfig({ dataDir, databaseUrl: undefined });
  const visage: Visage = await createVisage({ config, db, logger: false, web: true, mailer: { outbox: mail, async send(m) { mail.push(m); } } });
  await visage.app.listen({ port: 0, host: '127.0.0.1' });
  const baseUrl = `http://127.0.0.1:${(visage.app.server.address() as AddressInfo).port}`;
  config.publicUrl = baseUrl;

  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'visage-chromium-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 820 },
    locale: 'en-US',
  }).catch(async (err: unknown) => {
    await visage.close();
    await db.close();
    throw err;
  });

  const call: Harness['call'] = async (method, url, body, token, org) => {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (token) headers.authorization = `Bearer ${token}`;
    if (org) headers['x-org-id'] = org;
    const res = await fetch(baseUrl + url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };

  async function mailed(to: string, pattern: RegExp): Promise<string> {
    for (let i = 0; i < 100; i++) {
      const match = mail.filter((m) => m.to === to).map((m) => pattern.exec(m.text)).find(Boolean);
      if (match) return match[1]!;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`no mail to ${to} matching ${pattern}`);
  }

  return {
    baseUrl, visage, browser, mail, call, mailed,
    async close() {
      await browser.close();
      await visage.close();
      await db.close();
      fs.rmSync(profile, { recursive: true, force: true });
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** An owner signed up with their organization through the API, and a caller acting as them. */
export interface Owner {
  token: string;
  orgId: string;
  /** Calls the API as the owner in their organization; an answer other than `expected` throws with its body. */
  api<T = any>(method: string, url: string, body?: unknown, expected?: number[]): Promise<T>;
}

export async function signUpOwner(h: Harness, owner: { email: string; password: string; full_name: string }, org: Record<string, unknown>): Promise<Owner> {
  const signup = await h.call('POST', '/api/auth/signup', owner);
  if (signup.status !== 201) throw new Error(`signup -> ${signup.status} ${JSON.stringify(signup.body)}`);
  const token = signup.body.token as string;
  const created = await h.call('POST', '/api/organizations', org, token);
  if (created.status !== 201) throw new Error(`organization -> ${created.status} ${JSON.stringify(created.body)}`);
  const orgId = created.body.id as string;
  return {
    token, orgId,
    async api<T = any>(method: string, url: string, body?: unknown, expected = [200, 201]): Promise<T> {
      const res = await h.call<T>(method, url, body, token, orgId);
      if (!expected.includes(res.status)) throw new Error(`${method} ${url} -> ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    },
  };
}

/** Invites `person` into the owner's organization with `role` and accepts the emailed invitation as them. */
export async function addStaff(h: Harness, owner: Owner, person: { email: string; password: string; full_name: string }, role: string): Promise<void> {
  await owner.api('POST', '/api/invitations', { email: person.email, role });
  const token = await h.mailed(person.email, /invite\?token=(\S+)/);
  const accepted = await h.call('POST', '/api/invitations/accept', { token, full_name: person.full_name, password: person.password });
  if (accepted.status !== 200) throw new Error(`accept invitation -> ${accepted.status} ${JSON.stringify(accepted.body)}`);
}
