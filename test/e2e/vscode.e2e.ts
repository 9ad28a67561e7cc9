/**
 * Forkscope in a real VS Code, end to end: the packaged .vsix installed into code-server (VS Code's
 * web build), the workbench driven by Debian's Chromium through playwright-core the way a student
 * would — open cow.c, click the gutter for a breakpoint on the fork line, F5, step over fork and
 * see both processes in the call stack, then Step Back to before the fork. Run by `npm run test:e2e` (which installs what it needs;
 * not part of `npm test`: it takes minutes and large installs). See shared/vscode-e2e.md.
 *
 * Every wait is bounded and says what it waited for. The run folder (a temp dir) is removed after a
 * pass except for the screenshot; after a failure it is kept whole, with code-server's log.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { CODE_SERVER_VERSION, CodeServer, codeServerBin, waitUntil } from './code-server';

const ROOT = resolve(__dirname, '..', '..');
const CHROMIUM = process.env.FORKSCOPE_E2E_CHROMIUM ?? '/usr/bin/chromium';
const FORK_LINE = 44; // `pid_t child = fork();` in examples/cow.c
const THREAD = /^\d+:\d+ cow$/; // the adapter names every task "tgid:pid comm"

async function shown(locator: Locator, what: string, timeoutMs = 30_000): Promise<Locator> {
  try {
    await locator.first().waitFor({ state: 'visible', timeout: timeoutMs });
  } catch {
    throw new Error(`${what}: not shown within ${timeoutMs / 1000} s`);
  }
  return locator.first();
}

/** The call stack view's thread rows whose name is a `cow` task. */
function cowThreads(page: Page): Locator {
  return page.locator('.debug-call-stack .thread .name').filter({ hasText: THREAD });
}

describe('Forkscope in VS Code (code-server + Chromium)', function () {
  this.timeout(10 * 60_000);
  let runDir: string | undefined;
  let server: CodeServer | undefined;
  let browser: BrowserContext | undefined;
  let passed = false;

  before(function () {
    const missing = [
      codeServerBin() === undefined ? `code-server ${CODE_SERVER_VERSION} (run scripts/e2e/install.sh)` : '',
      existsSync(CHROMIUM) ? '' : `${CHROMIUM} (apt-get install chromium)`,
      existsSync(join(ROOT, 'examples', 'bin', 'cow')) ? '' : 'examples/bin/cow (npm run build:guests)',
    ].filter((m) => m !== '');
    if (missing.length > 0) {
      console.log(`      skipped: missing ${missing.join(', ')}`);
      this.skip();
    }
    runDir = mkdtempSync(join(tmpdir(), 'forkscope-e2e-'));
  });

  after(async function () {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    if (runDir === undefined) return;
    if (passed) {
      // Keep only what a person may want to look at.
      for (const f of readdirSync(runDir)) if (f !== 'screenshot.png') rmSync(join(runDir, f), { recursive: true, force: true });
      console.log(`      screenshot: ${join(runDir, 'screenshot.png')}`);
    } else {
      console.log(`      kept for inspection: ${runDir} (code-server.log, failure.png)`);
    }
  });

  it('stops on a gutter breakpoint in cow.c, steps over fork, shows both processes, and steps back', async function () {
    const dir = runDir as string;
    const started = Date.now();
    const vsix = join(dir, 'forkscope.vsix');
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'e2e', 'package-extension.mjs'), '--out', vsix], { cwd: ROOT, stdio: 'pipe' });
    // The ELFs name their sources as built, `examples/cow.c` relative to the repository, and the
    // debugger looks for that path in the folders above the ELF: so the copy keeps the folder.
    const workspace = join(dir, 'workspace');
    cpSync(join(ROOT, 'examples'), join(workspace, 'examples'), { recursive: true });

    server = await CodeServer.start(codeServerBin() as string, dir, vsix);
    assert.ok(existsSync(join(dir, 'extensions')) && readdirSync(join(dir, 'extensions')).some((e) => e.startsWith('forkscope.forkscope-')),
      'the .vsix is installed in the extensions folder');

    browser = await chromium.launchPersistentContext(join(dir, 'browser'), {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1440, height: 1000 },
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
    });
    const page = browser.pages()[0] ?? await browser.newPage();
    try {
      await page.goto(server.url(workspace));
      await shown(page.locator('.monaco-workbench .part.statusbar'), 'the workbench', 60_000);

      // Open cow.c from the explorer and go to the fork line.
      const explorerRow = (name: RegExp) => page.locator('.explorer-folders-view .monaco-list-row').filter({ hasText: name });
      await (await shown(explorerRow(/^examples$/), 'the examples folder in the explorer', 60_000)).click();
      await (await shown(explorerRow(/^cow\.c$/), 'cow.c in the explorer')).click();
      await shown(page.locator('.tabs-container .tab').filter({ hasText: 'cow.c' }), 'the cow.c editor tab');
      const editor = page.locator('.editor-group-container .monaco-editor').first();
      await shown(editor.locator('.view-line').filter({ hasText: 'fork()' }), 'cow.c\'s text');
      await editor.locator('.view-lines').click();
      await page.keyboard.press('Control+G');
      await shown(page.locator('.quick-input-widget input'), 'the Go to Line box');
      await page.keyboard.type(String(FORK_LINE));
      await page.keyboard.press('Enter');

      // A breakpoint by clicking the gutter: the glyph margin, left of the line numbers.
      const lineNumber = editor.locator('.margin-view-overlays .line-numbers').filter({ hasText: new RegExp(`^${FORK_LINE}$`) });
      const box = await (await shown(lineNumber, `line number ${FORK_LINE}`)).boundingBox();
      const margin = await editor.locator('.margin[role="presentation"]').boundingBox();
      assert.ok(box !== null && margin !== null, 'the editor margin has a position');
      // Until the extension's contributions are read, VS Code does not know that C files take
      // breakpoints and ignores the click; so click again until the glyph shows.
      const glyph = editor.locator('.codicon-debug-breakpoint');
      await waitUntil(async () => {
        if (await glyph.count() > 0) return true;
        await page.mouse.click(margin.x + 8, box.y + box.height / 2);
        return glyph.first().waitFor({ state: 'visible', timeout: 2_000 }).then(() => true, () => false);
      }, `a breakpoint glyph after clicking the gutter of line ${FORK_LINE}`, 60_000, 0);

      // F5 too early only opens the Run and Debug view: the debugger registers some seconds after
      // the workbench shows. So: focus the editor, F5, and again until the debug toolbar appears.
      const toolbar = page.locator('.debug-toolbar');
      await waitUntil(async () => {
        await editor.locator('.view-lines').click();
        await page.keyboard.press('F5');
        return toolbar.waitFor({ state: 'visible', timeout: 3_000 }).then(() => true, () => false);
      }, 'a debug session started by F5 (debug toolbar)', 90_000, 0);

      await shown(page.getByText('Paused on breakpoint'), '"Paused on breakpoint"', 60_000);
      const callStack = page.locator('.debug-call-stack');
      await shown(callStack.locator('.stack-frame').filter({ hasText: 'main' }).filter({ hasText: 'cow.c' }), 'main in cow.c on the call stack');
      const frameLine = await callStack.locator('.stack-frame').filter({ hasText: 'main' }).first().locator('.line-number').innerText();
      assert.match(frameLine, new RegExp(`^${FORK_LINE}(:\\d+)?$`), 'main is stopped on the fork line');
      await waitUntil(async () => (await cowThreads(page).count()) === 1, 'one cow process in the call stack before fork', 15_000);

      // Step over fork: the parent stops on the next line and the child is a second thread.
      await editor.locator('.view-lines').click();
      await page.keyboard.press('F10');
      await shown(page.getByText('Paused on step'), '"Paused on step" after stepping over fork', 60_000);
      await waitUntil(async () => (await cowThreads(page).count()) === 2, 'two cow processes (parent and child) in the call stack', 15_000);
      const names = await cowThreads(page).allInnerTexts();
      assert.notEqual(names[0], names[1], `two distinct tasks: ${names.join(', ')}`);
      const stepLine = await callStack.locator('.stack-frame').filter({ hasText: 'main' }).first().locator('.line-number').innerText();
      assert.match(stepLine, new RegExp(`^${FORK_LINE + 1}(:\\d+)?$`), 'the parent is on the line after fork');

      await page.screenshot({ path: join(dir, 'screenshot.png') });

      // Step Back (the adapter supports going back in time): before fork again, so the parent is
      // on the fork line and the child has gone from the call stack.
      await toolbar.locator('[aria-label^="Step Back"]').first().click();
      await waitUntil(async () => (await cowThreads(page).count()) === 1, 'one cow process after stepping back over fork', 60_000);
      await waitUntil(async () => {
        const line = await callStack.locator('.stack-frame').filter({ hasText: 'main' }).first().locator('.line-number').innerText().catch(() => '');
        return new RegExp(`^${FORK_LINE}(:\\d+)?$`).test(line);
      }, `the parent back on line ${FORK_LINE} after Step Back`, 30_000);

      // Stop debugging; the session ends and the toolbar goes away.
      await page.keyboard.press('Shift+F5');
      try {
        await toolbar.waitFor({ state: 'hidden', timeout: 30_000 });
      } catch {
        throw new Error('the debug session did not end within 30 s of Shift+F5');
      }
      console.log(`      VS Code session: ${((Date.now() - started) / 1000).toFixed(1)} s (package, start, debug, stop)`);
      passed = true;
    } catch (e) {
      await page.screenshot({ path: join(dir, 'failure.png') }).catch(() => undefined);
      throw new Error(`${(e as Error).message}\n--- code-server log (tail) ---\n${server.logTail()}`, { cause: e });
    }
  });
});
