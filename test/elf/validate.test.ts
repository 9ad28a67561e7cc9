/**
 * validateForExec: each thing Linux's load_elf_binary refuses (and the few Forkscope refuses
 * on top) gives its sentence; good programs give undefined.
 */
import { strict as assert } from 'assert';
import {
  ET_CORE, ET_DYN, ET_REL, parseElf, PN_XNUM, PT_INTERP, PT_NULL, validateForExec,
} from '../../src/elf';
import { buildHello, GCC, readBytes, requireTool } from './guests';
import { buildTinyElf, EHDR, edited, Editor, PHDR, SHDR } from './writer';

describe('elf: validateForExec', function () {
  const tiny = buildTinyElf();
  const pie = buildTinyElf({ pie: true });
  const interp = pie.ph.interp ?? -1;
  const validate = (bytes: Uint8Array) => validateForExec(parseElf(bytes));
  /** Sets a field of program header `i` of the static tiny file. */
  const ph = (e: Editor, i: number, field: keyof typeof PHDR, v: number | bigint) => e.u64(tiny.phdrAt(i) + PHDR[field], v);
  const phType = (e: Editor, file: typeof tiny, i: number, type: number) => e.u32(file.phdrAt(i) + PHDR.type, type);

  it('accepts the tiny static program and the tiny PIE', function () {
    assert.equal(validate(tiny.bytes), undefined);
    assert.equal(validate(pie.bytes), undefined);
  });

  it('accepts real programs built by gcc', function () {
    requireTool(this, GCC);
    const { staticPath, piePath } = buildHello();
    assert.equal(validate(readBytes(staticPath)), undefined);
    assert.equal(validate(readBytes(piePath)), undefined);
  });

  const dataOff = Number(new DataView(tiny.bytes.buffer).getBigUint64(tiny.phdrAt(tiny.ph.data) + PHDR.offset, true));
  const dataVaddr = Number(new DataView(tiny.bytes.buffer).getBigUint64(tiny.phdrAt(tiny.ph.data) + PHDR.vaddr, true));
  const pieDataVaddr = Number(new DataView(pie.bytes.buffer).getBigUint64(pie.phdrAt(pie.ph.data) + PHDR.vaddr, true));
  const pieInterpOffset = Number(new DataView(pie.bytes.buffer).getBigUint64(pie.phdrAt(interp) + PHDR.offset, true));
  const longPath = new TextEncoder().encode('/' + 'a'.repeat(4999) + '\0');

  const cases: [string, Uint8Array, string][] = [
    ['an object file', edited(tiny.bytes, (e) => e.u16(EHDR.type, ET_REL)),
      'this is a relocatable object file (ET_REL), not an executable; link it first'],
    ['a core dump', edited(tiny.bytes, (e) => e.u16(EHDR.type, ET_CORE)), 'this is a core dump (ET_CORE), not an executable'],
    ['an unknown type', edited(tiny.bytes, (e) => e.u16(EHDR.type, 0xfe00)),
      'ELF type 65024 is not executable; Linux runs ET_EXEC and ET_DYN files'],
    ['64-byte program headers', edited(tiny.bytes, (e) => { e.u16(EHDR.phentsize, 64); e.u16(EHDR.phnum, 1); }),
      'the program header entry size (e_phentsize) is 64, but Linux requires 56'],
    ['no program headers', edited(tiny.bytes, (e) => e.u16(EHDR.phnum, 0)),
      'the file has no program headers, so there is nothing to load'],
    // With PN_XNUM the real count (4) is in section 0, which Linux does not read: it takes
    // 65535 entries literally.
    ['e_phnum PN_XNUM', edited(tiny.bytes, (e) => { e.u16(EHDR.phnum, PN_XNUM); e.u32(tiny.shdrAt(0) + SHDR.info, 4); }),
      `the program header table is ${PN_XNUM * 56} bytes, more than Linux's limit of 64 KiB`],
    ['two PT_INTERP', edited(pie.bytes, (e) => {
      const stack = pie.phdrAt(pie.ph.stack);
      e.u32(stack + PHDR.type, PT_INTERP);
      e.u64(stack + PHDR.offset, pieInterpOffset);
      e.u64(stack + PHDR.filesz, 2);
    }), 'the file has 2 PT_INTERP segments; a program names one interpreter'],
    ['an interpreter path of 1 byte', edited(pie.bytes, (e) => e.u64(pie.phdrAt(interp) + PHDR.filesz, 1)),
      `the interpreter path in program header ${interp} (INTERP) is empty`],
    ['an interpreter path starting with NUL', edited(pie.bytes, (e) => e.u8(pieInterpOffset, 0)),
      `the interpreter path in program header ${interp} (INTERP) is empty`],
    ['an interpreter path without NUL', edited(pie.bytes, (e) => e.u64(pie.phdrAt(interp) + PHDR.filesz, 10)),
      `the interpreter path in program header ${interp} (INTERP) is not NUL-terminated`],
    ['an interpreter path over PATH_MAX', edited(pie.bytes, (e) => {
      e.u64(pie.phdrAt(interp) + PHDR.offset, pie.bytes.length);
      e.u64(pie.phdrAt(interp) + PHDR.filesz, longPath.length);
    }, longPath), `the interpreter path in program header ${interp} (INTERP) is 5001 bytes, longer than PATH_MAX (4096)`],
    ['no PT_LOAD', edited(tiny.bytes, (e) => { phType(e, tiny, tiny.ph.text, PT_NULL); phType(e, tiny, tiny.ph.data, PT_NULL); }),
      'the file has no PT_LOAD segment, so there is nothing to load'],
    ['p_filesz > p_memsz', edited(tiny.bytes, (e) => ph(e, tiny.ph.data, 'memsz', 8)),
      'program header 2 (LOAD) has p_filesz 0x10 larger than p_memsz 0x8'],
    ['p_offset and p_vaddr out of step', edited(tiny.bytes, (e) => ph(e, tiny.ph.data, 'vaddr', dataVaddr + 8)),
      `program header 2 (LOAD) has p_offset 0x${dataOff.toString(16)} and p_vaddr 0x${(dataVaddr + 8).toString(16)}, which differ modulo the page size (4096)`],
    ['segments in descending order', edited(tiny.bytes, (e) => ph(e, tiny.ph.data, 'vaddr', dataVaddr - 0x2000)),
      `the PT_LOAD segments are not in ascending address order: program header 2 (LOAD) at 0x${(dataVaddr - 0x2000).toString(16)} follows one at 0x10000`],
    ['overlapping segments', edited(tiny.bytes, (e) => ph(e, tiny.ph.text, 'memsz', 0x2000)),
      `program header 2 (LOAD) at 0x${dataVaddr.toString(16)} overlaps the PT_LOAD segment before it, which ends at 0x12000`],
    ['a segment beyond TASK_SIZE', edited(tiny.bytes, (e) => ph(e, tiny.ph.data, 'memsz', 2 ** 40)),
      `program header 2 (LOAD) ends at 0x${(dataVaddr + 2 ** 40).toString(16)}, beyond the user address space (0x4000000000)`],
    ['a PIE too large for the address space', edited(pie.bytes, (e) => e.u64(pie.phdrAt(pie.ph.data) + PHDR.memsz, 2 ** 39)),
      `the PT_LOAD segments span 0x${(pieDataVaddr + 2 ** 39).toString(16)} bytes, more than the user address space (0x4000000000)`],
    ['an entry point beyond TASK_SIZE', edited(tiny.bytes, (e) => e.u64(EHDR.entry, 2 ** 40)),
      'the entry point 0x10000000000 is outside the user address space (below 0x4000000000)'],
  ];
  for (const [what, bytes, message] of cases) {
    it(`refuses ${what}: "${message}"`, function () {
      assert.equal(validate(bytes), message);
    });
  }

  it('passes ET_DYN without an interpreter (ld.so itself, static-pie)', function () {
    const noInterp = edited(pie.bytes, (e) => phType(e, pie, interp, PT_NULL));
    assert.equal(parseElf(noInterp).header.e_type, ET_DYN);
    assert.equal(validate(noInterp), undefined);
  });
});
