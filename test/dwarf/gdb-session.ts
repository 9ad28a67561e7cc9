/**
 * Runs a fixture under `qemu-riscv64 -g` with gdb-multiarch attached, stops at a source line,
 * and returns what gdb sees there: registers, the stack and data memory, and every frame
 * (inlined ones included) with the values of its arguments and locals.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { basename, dirname, join } from 'node:path';
import { GDB, QEMU, run } from './helpers';

export interface GdbVariable {
  readonly name: string;
  readonly line: number;
  readonly optimizedOut: boolean;
  /** Scalars only: the value as an unsigned integer of the variable's size. */
  readonly value?: string;
  readonly address?: number;
  readonly size: number;
}

export interface GdbFrame {
  readonly pc: number;
  readonly name: string | null;
  readonly inline: boolean;
  /** A frame gdb infers for a tail call from call-site information; it has no stack of its own. */
  readonly tailcall: boolean;
  readonly sp: string;
  readonly variables: GdbVariable[];
}

export interface GdbStop {
  /** x1..x31 by number, as unsigned decimal strings. */
  readonly regs: Record<string, string>;
  /** Memory regions gdb could read: stack pages from sp up, and the data sections. */
  readonly memory: { address: number; hex: string }[];
  readonly frames: GdbFrame[];
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

const SCRIPT = String.raw`
import gdb, json, time
def attach(port):
    # qemu may not be listening yet: retry until it is.
    for _ in range(400):
        try:
            gdb.execute("target remote 127.0.0.1:%d" % port, to_string=True)
            return
        except gdb.error:
            time.sleep(0.05)
    raise gdb.GdbError("qemu never listened")

NAMES = ["zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5",
         "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6"]
MASK = (1 << 64) - 1
SCALARS = (gdb.TYPE_CODE_INT, gdb.TYPE_CODE_PTR, gdb.TYPE_CODE_ENUM, gdb.TYPE_CODE_CHAR, gdb.TYPE_CODE_BOOL)

def variable(sym, frame):
    rec = {"name": sym.name, "line": sym.line, "optimizedOut": True, "size": sym.type.sizeof}
    try:
        v = sym.value(frame)
        if v.is_optimized_out:
            return rec
        if v.type.strip_typedefs().code in SCALARS:
            rec["value"] = str(int(v) & ((1 << (8 * v.type.sizeof)) - 1))
        if v.address is not None:
            rec["address"] = int(v.address)
        rec["optimizedOut"] = False
    except gdb.error:
        pass
    return rec

def variables(frame):
    out = []
    try:
        block = frame.block()
    except RuntimeError:
        return out
    while block is not None:
        for sym in block:
            if sym.is_argument or sym.is_variable or sym.is_constant:
                out.append(variable(sym, frame))
        if block.function is not None:
            break
        block = block.superblock
    return out

def stop(port, location, regions):
    attach(port)
    gdb.execute("set backtrace past-main on", to_string=True)
    gdb.execute("set backtrace past-entry on", to_string=True)
    gdb.execute("break " + location, to_string=True)
    gdb.execute("continue", to_string=True)
    inferior = gdb.selected_inferior()
    f = gdb.newest_frame()
    regs = {str(i): str(int(f.read_register(NAMES[i])) & MASK) for i in range(1, 32)}
    memory = []
    sp = int(regs["2"])
    page = sp & ~0xfff
    chunk = []
    while page < sp + 0x40000:
        try:
            chunk.append(bytes(inferior.read_memory(page, 0x1000)))
        except gdb.MemoryError:
            break
        page += 0x1000
    memory.append({"address": sp & ~0xfff, "hex": b"".join(chunk).hex()})
    for address, size in regions:
        try:
            memory.append({"address": address, "hex": bytes(inferior.read_memory(address, size)).hex()})
        except gdb.MemoryError:
            pass
    frames = []
    while f is not None:
        frames.append({"pc": f.pc(), "name": f.name(), "inline": f.type() == gdb.INLINE_FRAME, "tailcall": f.type() == gdb.TAILCALL_FRAME,
                       "sp": str(int(f.read_register("sp")) & MASK), "variables": variables(f)})
        f = f.older()
    print("STOP " + json.dumps({"regs": regs, "memory": memory, "frames": frames}))
    gdb.execute("kill", to_string=True)
`;

/**
 * Stops `binary` at `location` (gdb syntax, e.g. `chain.c:8`); `regions` are extra
 * [address, size] ranges to dump (the data sections).
 */
export async function stopAt(binary: string, location: string, regions: [number, number][]): Promise<GdbStop> {
  const port = await freePort();
  const qemu = spawn(QEMU, ['-g', String(port), binary], { stdio: 'ignore' });
  try {
    const script = join(dirname(binary), `stop-${basename(binary)}.py`);
    writeFileSync(script, `${SCRIPT}\nstop(${port}, ${JSON.stringify(location)}, ${JSON.stringify(regions)})\n`);
    const out = run(GDB, ['-batch', '-nx', '-ex', `source ${script}`, binary], { timeout: 120_000 });
    const line = out.split('\n').find((l) => l.startsWith('STOP '));
    if (!line) throw new Error(`gdb did not stop at ${location}:\n${out}`);
    return JSON.parse(line.slice(5)) as GdbStop;
  } finally {
    qemu.kill();
  }
}
