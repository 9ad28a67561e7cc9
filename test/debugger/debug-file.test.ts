/**
 * Separate debug files, found as gdb finds them: a stripped shared library whose symbols and
 * DWARF (compressed) are in `<root>/usr/lib/debug/.build-id/xx/yyyy.debug`, and a stripped program whose
 * `.gnu_debuglink` names `<dir>/.debug/prog.debug`. Both are built from fixtures/greet.c and
 * split with objcopy at test time, as a distribution splits its packages.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ImageStore } from '../../src/debugger/images';
import { taskStack } from '../../src/debugger/stack';
import { parseElf, SHF_COMPRESSED } from '../../src/elf';
import { GCC, requireTool } from '../elf/guests';
import { session } from './session';

const SYSROOT = '/usr/riscv64-linux-gnu';
const OBJCOPY = 'riscv64-linux-gnu-objcopy';
const SOURCE = join(__dirname, 'fixtures', 'greet.c');

/** The line of `greet.c` carrying `marker` in its comment. */
function lineOf(marker: string): number {
  return readFileSync(SOURCE, 'utf8').split('\n').findIndex((l) => l.includes(`/* ${marker} */`)) + 1;
}

describe('debugger: separate debug files (build ID and debuglink)', function () {
  let root = '';
  let libraryDebug = '';

  before(function () {
    requireTool(this, GCC, OBJCOPY);
    if (!existsSync(join(SYSROOT, 'lib', 'libc.so.6'))) {
      console.log(`      (no riscv64 sysroot at ${SYSROOT}: install libc6-riscv64-cross)`);
      this.skip();
    }
    root = mkdtempSync(join(tmpdir(), 'forkscope-debugfile-'));
    const build = join(root, 'build');
    mkdirSync(build);
    mkdirSync(join(root, 'opt', 'greet'), { recursive: true });
    mkdirSync(join(root, '.debug'));
    const run = (tool: string, ...args: string[]) => execFileSync(tool, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    // The library: stripped of everything but .dynsym; found by its build ID.
    const lib = join(build, 'libgreet.so');
    run(GCC, '-g', '-O0', '-fPIC', '-shared', '-DLIBRARY', '-Wl,--build-id', '-o', lib, SOURCE);
    const id = parseElf(new Uint8Array(readFileSync(lib))).buildId;
    assert.ok(id !== undefined);
    libraryDebug = join(root, 'usr', 'lib', 'debug', '.build-id', id.slice(0, 2), `${id.slice(2)}.debug`);
    mkdirSync(dirname(libraryDebug), { recursive: true });
    // Compressed (SHF_COMPRESSED, zlib), as Debian builds its debug packages.
    run(OBJCOPY, '--only-keep-debug', '--compress-debug-sections=zlib', lib, libraryDebug);
    const info = parseElf(new Uint8Array(readFileSync(libraryDebug))).sections.find((sh) => sh.name === '.debug_info');
    assert.ok(info !== undefined && (info.sh_flags & SHF_COMPRESSED) !== 0, 'objcopy did not compress .debug_info');
    run(OBJCOPY, '--strip-all', lib, join(root, 'opt', 'greet', 'libgreet.so'));
    // The program: no build ID, so only its debuglink can name its debug file.
    const prog = join(build, 'prog');
    run(GCC, '-g', '-O0', '-Wl,--build-id=none', '-o', prog, SOURCE, `-L${dirname(lib)}`, '-lgreet', '-Wl,-rpath,/opt/greet');
    run(OBJCOPY, '--only-keep-debug', prog, join(root, '.debug', 'prog.debug'));
    run(OBJCOPY, '--strip-all', `--add-gnu-debuglink=${join(root, '.debug', 'prog.debug')}`, prog, join(root, 'prog'));
  });

  after(() => {
    if (root !== '') rmSync(root, { recursive: true, force: true });
  });

  it('stops in a static function of a stripped library by its name, with lines from the debug files', async () => {
    const { dbg, next, output } = session(join(root, 'prog'), false, { root, sysroot: SYSROOT });
    const [bp] = dbg.setFunctionBreakpoints([{ name: 'shout' }]);
    dbg.start();
    const e = await next();
    assert.ok(e !== null && e.reason === 'function breakpoint', `no stop: ${output.join('')}`);
    assert.deepEqual(e.hitBreakpointIds, [bp.id]);
    const user = taskStack(dbg.kernel, dbg.images, e.task).filter((f) => f.kind === 'user');
    const at = (i: number) => `${user[i].name} ${user[i].file === SOURCE ? 'greet.c' : user[i].file ?? '?'}:${user[i].line}`;
    assert.deepEqual([0, 1, 2].map(at), [
      `shout greet.c:${lineOf("shout's line")}`, `greet greet.c:${lineOf("greet's line")}`, `main greet.c:${lineOf("main's line")}`,
    ]);
    const images = new Map(dbg.images.loaded.map((i) => [i.guestPath, i.debugFile?.hostPath]));
    assert.equal(images.get('/opt/greet/libgreet.so'), libraryDebug);
    assert.equal(images.get('/prog'), join(root, '.debug', 'prog.debug'));
    dbg.terminate();
  });

  it('passes over a debuglink file whose CRC-32 is not the recorded one, as gdb does', () => {
    const copy = join(root, 'crc');
    mkdirSync(join(copy, '.debug'), { recursive: true });
    copyFileSync(join(root, 'prog'), join(copy, 'prog'));
    copyFileSync(join(root, '.debug', 'prog.debug'), join(copy, '.debug', 'prog.debug'));
    assert.ok(new ImageStore(copy, SYSROOT).image('/prog')?.debugFile !== undefined);
    appendFileSync(join(copy, '.debug', 'prog.debug'), 'x');
    const image = new ImageStore(copy, SYSROOT).image('/prog');
    assert.ok(image !== null);
    assert.equal(image.debugFile, undefined);
    assert.equal(image.dwarf?.functionsNamed('main').length ?? 0, 0);
  });
});
