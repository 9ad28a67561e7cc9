/**
 * What names a separate debug file: the build ID note and `.gnu_debuglink` of Debian's stripped
 * libc.so.6, against readelf, and the debuglink CRC against the standard CRC-32 check value.
 */
import { strict as assert } from 'assert';
import { existsSync } from 'fs';
import { gnuDebuglinkCrc, parseElf } from '../../src/elf';
import { CROSS_LIBC, READELF, readBytes, requireTool, runTool } from './guests';
import { buildTinyElf } from './writer';

describe('elf: build ID and debuglink', function () {
  it('computes the CRC-32 gdb checks a debuglink with', function () {
    // The check value of CRC-32 (ISO 3309, as zlib): the CRC of the ASCII digits 1 to 9.
    assert.equal(gnuDebuglinkCrc(new TextEncoder().encode('123456789')), 0xcbf43926);
    assert.equal(gnuDebuglinkCrc(new Uint8Array(0)), 0);
  });

  it('reads the build ID and the debuglink of the stripped libc.so.6 as readelf does', function () {
    requireTool(this, READELF);
    if (!existsSync(CROSS_LIBC)) this.skip();
    const elf = parseElf(readBytes(CROSS_LIBC));
    const id = /Build ID: ([0-9a-f]+)/.exec(runTool(READELF, ['-n', CROSS_LIBC]))?.[1];
    assert.ok(id !== undefined && id.length === 40);
    assert.equal(elf.buildId, id);
    // String dump of section '.gnu_debuglink':  [     0]  d20d38…6c47.debug
    const name = /\]\s+(\S+)/.exec(runTool(READELF, ['-p', '.gnu_debuglink', CROSS_LIBC]))?.[1];
    assert.equal(elf.debugLink?.name, name);
    assert.equal(elf.debugLink?.name, `${id.slice(2)}.debug`);
  });

  it('finds neither in a file without them', function () {
    const elf = parseElf(buildTinyElf().bytes);
    assert.equal(elf.buildId, undefined);
    assert.equal(elf.debugLink, undefined);
  });
});
