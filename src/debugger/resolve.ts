/**
 * Where breakpoints go: source lines and function names resolved through the images' DWARF and
 * symbols, kernel function names checked against the kernel's functions. A breakpoint that
 * resolves nowhere yet stays unverified with the reason, and is tried again when an exec brings
 * a new program or library (Debugger.placeImages).
 *
 * A position-independent image (a PIE program, ld.so, libc) has no addresses until it is mapped:
 * its breakpoints go at its link-time addresses plus each load bias it has in a live address
 * space, and stay unverified until it has one.
 */
import type { Breakpoint } from './breakpoints';
import type { Image, ImageStore } from './images';
import { kernelFunctions } from './kernel_functions';
import { prologueEnd } from './prologue';

/** The load biases of an image in the live address spaces (always [0] for a fixed-address one). */
export type Biases = (image: Image) => readonly number[];

function placed(bp: Breakpoint, image: Image, biases: readonly number[], linkAddresses: readonly number[]): void {
  bp.image = image;
  bp.addresses = biases.flatMap((b) => linkAddresses.map((a) => a + b));
  bp.verified = true;
}

/**
 * The image's locations for `file`:`line`. The compiler recorded paths as it saw them
 * (`examples/cow.c`), so a source that has moved with its program since (a copied folder) matches
 * by its trailing path components instead: the longest suffix of the editor's path that names
 * code in the image, down to the file name alone, as gdb matches `break cow.c:44`.
 */
function locationsOf(image: Image, file: string, line: number) {
  const parts = file.split(/[\\/]+/).filter((p) => p !== '');
  let found = image.dwarf?.breakpointLocations(file, line);
  for (let drop = 1; (found === undefined || found.locations.length === 0) && drop < parts.length; drop++) {
    found = image.dwarf?.breakpointLocations(parts.slice(drop).join('/'), line);
  }
  return found;
}

export function resolveLine(images: ImageStore, biases: Biases, bp: Breakpoint): void {
  const file = bp.file as string;
  const line = bp.requestedLine as number;
  bp.message = undefined;
  for (const image of images.loaded) {
    const found = locationsOf(image, file, line);
    if (found === undefined || found.locations.length === 0) continue;
    const at = biases(image);
    if (at.length === 0) {
      bp.message = `${image.guestPath} is position independent: its breakpoints are placed once it is loaded`;
      continue;
    }
    placed(bp, image, at, found.locations.map((l) => l.address));
    bp.line = found.locations[0].line;
    bp.message = bp.line !== line ? `line ${line} has no code: moved to line ${bp.line}` : undefined;
    return;
  }
  bp.verified = false;
  bp.addresses = [];
  bp.message ??= `no code at line ${line} of ${file} in the programs loaded so far`;
}

/**
 * A function breakpoint: a user function (DWARF, then ELF symbols) of a loaded image, past its
 * prologue; otherwise a kernel function by its Linux name.
 */
export function resolveFunction(images: ImageStore, biases: Biases, bp: Breakpoint): void {
  const name = (bp.name as string).trim();
  for (const image of images.loaded) {
    const at = biases(image);
    if (at.length === 0) continue;
    const dwarf = image.dwarf;
    const fns = dwarf?.functionsNamed(name) ?? [];
    // Past the prologue: where the line table says the body starts, else where gdb's prologue
    // analysis would put it.
    const addresses = dwarf !== null && fns.length > 0 ? fns.map((f) => dwarf.functionBreakpointAddress(f))
      : image.symbolAddresses(name).map((a) => prologueEnd(a, image.code));
    if (addresses.length === 0) continue;
    bp.kind = 'function';
    placed(bp, image, at, addresses);
    bp.message = `${name} in ${image.guestPath}`;
    return;
  }
  const kernel = kernelFunctions();
  if (kernel.names.has(name) || (!kernel.complete && /^[A-Za-z_]\w*$/.test(name))) {
    bp.kind = 'kernel';
    bp.verified = true;
    bp.message = `kernel function ${name}`;
    return;
  }
  bp.verified = false;
  bp.addresses = [];
  bp.message = `no function named ${name} in the programs loaded so far, nor in the kernel`;
}

export function resolveInstruction(bp: Breakpoint, address: number): void {
  bp.addresses = [address];
  bp.verified = Number.isSafeInteger(address) && address >= 0;
  bp.message = bp.verified ? undefined : `0x${address.toString(16)} is not a user address`;
}
