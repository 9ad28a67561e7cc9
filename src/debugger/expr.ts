/**
 * C-like expressions for watch, hover, the debug console, breakpoint conditions and log
 * messages: variables, registers (`$a0`, `$pc`), integer and floating literals, strings (for
 * comparisons such as `comm == "init"`), the C operators with C's precedence, member access,
 * indexing, `*`, `&`, casts to DWARF types and `sizeof`. Values are typed C values over guest
 * memory (cvalue.ts), so `*(int *)0x12340` reads memory and `&global` is an address.
 */
import { stripTypedefs, typeName, typeSize, type Type } from '../dwarf';
import {
  BUILTIN, deref, fromBigInt, fromNumber, index, isFloat, isPointerLike, member, pointee, pointerTo, toBigInt, toNumber,
  truthy, ValueError, type CValue, type ValueEnv,
} from './cvalue';

/** A value an expression produces: a C value, or a string (for comparisons with names). */
export interface StrValue {
  readonly kind: 'string';
  readonly text: string;
}
export type EValue = CValue | StrValue;

export interface EvalScope {
  readonly env: ValueEnv;
  /** A variable visible here (locals first, then globals). */
  variable(name: string): EValue | undefined;
  /** A register by ABI or x-name (`a0`, `x10`, `pc`, `sp`, `fa0`). */
  register(name: string): CValue | undefined;
  /** A type by name (`pid_t`, `struct task`), for casts and sizeof. */
  type(name: string): Type | undefined;
}

export class ExprError extends Error {}

type Node =
  | { k: 'num'; v: bigint }
  | { k: 'float'; v: number }
  | { k: 'str'; v: string }
  | { k: 'id'; v: string }
  | { k: 'reg'; v: string }
  | { k: 'un'; op: string; e: Node }
  | { k: 'bin'; op: string; a: Node; b: Node }
  | { k: 'cond'; c: Node; a: Node; b: Node }
  | { k: 'member'; e: Node; name: string; arrow: boolean }
  | { k: 'index'; e: Node; i: Node }
  | { k: 'cast'; t: TypeSpec; e: Node }
  | { k: 'sizeof'; t?: TypeSpec; e?: Node };

interface TypeSpec {
  readonly words: string[];
  readonly stars: number;
}

const TOKEN = /\s*(?:(0[xX][0-9a-fA-F]+|\d+\.\d*(?:[eE][-+]?\d+)?|\d+)[uUlL]*|('(?:\\.|[^'\\])')|("(?:\\.|[^"\\])*")|(\$?[A-Za-z_]\w*)|(->|<<|>>|<=|>=|==|!=|&&|\|\||[-+*/%&|^!~<>()[\].?:]))/y;
const TYPE_WORDS = new Set(['unsigned', 'signed', 'char', 'short', 'int', 'long', 'float', 'double', 'void', '_Bool', 'struct', 'union', 'enum', 'const', 'volatile']);
const BINARY: string[][] = [['||'], ['&&'], ['|'], ['^'], ['&'], ['==', '!='], ['<', '>', '<=', '>='], ['<<', '>>'], ['+', '-'], ['*', '/', '%']];

class Parser {
  private readonly toks: string[] = [];
  private i = 0;

  constructor(text: string, private readonly scope: EvalScope) {
    TOKEN.lastIndex = 0;
    let pos = 0;
    while (pos < text.length) {
      if (/^\s*$/.test(text.slice(pos))) break;
      TOKEN.lastIndex = pos;
      const m = TOKEN.exec(text);
      if (m === null) throw new ExprError(`syntax error at '${text.slice(pos).trim().slice(0, 20)}'`);
      this.toks.push(m[0].trim());
      pos = TOKEN.lastIndex;
    }
  }

  parse(): Node {
    if (this.toks.length === 0) throw new ExprError('empty expression');
    const n = this.conditional();
    if (this.i < this.toks.length) throw new ExprError(`syntax error: unexpected '${this.toks[this.i]}'`);
    return n;
  }

  private peek(): string | undefined {
    return this.toks[this.i];
  }

  private take(t?: string): string {
    const tok = this.toks[this.i];
    if (tok === undefined) throw new ExprError(t === undefined ? 'syntax error: the expression ends too early' : `syntax error: expected '${t}' at the end`);
    if (t !== undefined && tok !== t) throw new ExprError(`syntax error: expected '${t}', found '${tok}'`);
    this.i++;
    return tok;
  }

  private conditional(): Node {
    const c = this.binary(0);
    if (this.peek() !== '?') return c;
    this.take('?');
    const a = this.conditional();
    this.take(':');
    return { k: 'cond', c, a, b: this.conditional() };
  }

  private binary(level: number): Node {
    if (level === BINARY.length) return this.unary();
    let a = this.binary(level + 1);
    while (BINARY[level].includes(this.peek() ?? '')) {
      const op = this.take();
      a = { k: 'bin', op, a, b: this.binary(level + 1) };
    }
    return a;
  }

  private isTypeStart(): boolean {
    const t = this.toks[this.i + 1];
    if (this.peek() !== '(' || t === undefined) return false;
    return TYPE_WORDS.has(t) || (/^[A-Za-z_]\w*$/.test(t) && this.scope.variable(t) === undefined && this.scope.type(t) !== undefined);
  }

  private typeSpec(): TypeSpec {
    const words: string[] = [];
    while (this.peek() !== undefined && /^[A-Za-z_]\w*$/.test(this.peek() as string) && (words.length === 0 || TYPE_WORDS.has(this.peek() as string) || words[words.length - 1] === 'struct' || words[words.length - 1] === 'union' || words[words.length - 1] === 'enum')) {
      words.push(this.take());
    }
    let stars = 0;
    while (this.peek() === '*') {
      this.take();
      stars++;
    }
    return { words, stars };
  }

  private unary(): Node {
    const t = this.peek();
    if (t === '-' || t === '!' || t === '~' || t === '*' || t === '&' || t === '+') {
      this.take();
      return { k: 'un', op: t, e: this.unary() };
    }
    if (t === 'sizeof') {
      this.take();
      if (this.isTypeStart()) {
        this.take('(');
        const spec = this.typeSpec();
        this.take(')');
        return { k: 'sizeof', t: spec };
      }
      return { k: 'sizeof', e: this.unary() };
    }
    if (this.isTypeStart()) {
      this.take('(');
      const spec = this.typeSpec();
      this.take(')');
      return { k: 'cast', t: spec, e: this.unary() };
    }
    return this.postfix();
  }

  private postfix(): Node {
    let e = this.primary();
    for (;;) {
      const t = this.peek();
      if (t === '.' || t === '->') {
        this.take();
        const name = this.take();
        if (!/^[A-Za-z_]\w*$/.test(name)) throw new ExprError(`syntax error: '${name}' is not a member name`);
        e = { k: 'member', e, name, arrow: t === '->' };
      } else if (t === '[') {
        this.take();
        const i = this.conditional();
        this.take(']');
        e = { k: 'index', e, i };
      } else {
        return e;
      }
    }
  }

  private primary(): Node {
    const t = this.take();
    if (t === '(') {
      const e = this.conditional();
      this.take(')');
      return e;
    }
    if (/^\d/.test(t)) {
      const clean = t.replace(/[uUlL]+$/, '');
      return /[.eE]/.test(clean) && !/^0[xX]/.test(clean) ? { k: 'float', v: Number(clean) } : { k: 'num', v: BigInt(clean) };
    }
    if (t.startsWith("'")) return { k: 'num', v: BigInt(unescape(t.slice(1, -1)).charCodeAt(0)) };
    if (t.startsWith('"')) return { k: 'str', v: unescape(t.slice(1, -1)) };
    if (t.startsWith('$')) return { k: 'reg', v: t.slice(1) };
    if (/^[A-Za-z_]\w*$/.test(t)) return { k: 'id', v: t };
    throw new ExprError(`syntax error: unexpected '${t}'`);
  }
}

function unescape(s: string): string {
  return s.replace(/\\(x[0-9a-fA-F]{2}|.)/g, (_m, c: string) => {
    if (c.startsWith('x') && c.length === 3) return String.fromCharCode(parseInt(c.slice(1), 16));
    return ({ n: '\n', t: '\t', r: '\r', '0': '\0' } as Record<string, string>)[c] ?? c;
  });
}

/** Parses and evaluates `text` in `scope`. Throws ExprError or ValueError with a clear message. */
export function evaluate(text: string, scope: EvalScope): EValue {
  return new Evaluator(scope).eval(new Parser(text, scope).parse());
}

/** Only checks the syntax (for conditions set while nothing is stopped). */
export function checkSyntax(text: string, scope: EvalScope): void {
  new Parser(text, scope).parse();
}

function isString(v: EValue): v is StrValue {
  return (v as { kind?: string }).kind === 'string';
}

class Evaluator {
  constructor(private readonly scope: EvalScope) {}

  eval(n: Node): EValue {
    const env = this.scope.env;
    switch (n.k) {
      case 'num': return fromBigInt(n.v > 0x7fffffffn ? BUILTIN.long : BUILTIN.int, n.v);
      case 'float': return fromNumber(BUILTIN.double, n.v);
      case 'str': return { kind: 'string', text: n.v };
      case 'id': {
        const v = this.scope.variable(n.v) ?? this.scope.register(n.v);
        if (v === undefined) throw new ExprError(`no variable or register named '${n.v}' here`);
        return v;
      }
      case 'reg': {
        const v = this.scope.register(n.v);
        if (v === undefined) throw new ExprError(`no register named '$${n.v}'`);
        return v;
      }
      case 'member': {
        const base = this.c(n.e);
        return member(env, n.arrow ? deref(env, base) : base, n.name);
      }
      case 'index': return index(env, this.c(n.e), Number(toBigInt(this.c(n.i))));
      case 'cast': return this.cast(this.type(n.t), this.c(n.e));
      case 'sizeof': {
        const t = n.t !== undefined ? this.type(n.t) : this.c(n.e as Node).type;
        const size = typeSize(t);
        if (size === undefined) throw new ExprError(`sizeof: ${typeName(t)} has no size`);
        return fromBigInt(BUILTIN.ulong, BigInt(size));
      }
      case 'cond': return truthy(this.c(n.c)) ? this.eval(n.a) : this.eval(n.b);
      case 'un': return this.unary(n.op, n.e);
      case 'bin': return this.binary(n.op, n.a, n.b);
    }
  }

  private c(n: Node): CValue {
    const v = this.eval(n);
    if (isString(v)) throw new ExprError('a string can only be compared with == or !=');
    return v;
  }

  private type(spec: TypeSpec): Type {
    const words = spec.words.filter((w) => w !== 'const' && w !== 'volatile');
    const key = words.join(' ');
    const builtin: Record<string, Type> = {
      char: BUILTIN.char, 'signed char': BUILTIN.char, 'unsigned char': BUILTIN.uchar, short: BUILTIN.short, 'unsigned short': BUILTIN.ushort,
      int: BUILTIN.int, signed: BUILTIN.int, unsigned: BUILTIN.uint, 'unsigned int': BUILTIN.uint, long: BUILTIN.long, 'long long': BUILTIN.long,
      'unsigned long': BUILTIN.ulong, 'unsigned long long': BUILTIN.ulong, float: BUILTIN.float, double: BUILTIN.double, void: BUILTIN.void, _Bool: BUILTIN.bool,
    };
    let t = builtin[key] ?? this.scope.type(key);
    if (t === undefined) throw new ExprError(`unknown type '${key}'`);
    for (let i = 0; i < spec.stars; i++) t = pointerTo(t);
    return t;
  }

  private cast(t: Type, v: CValue): CValue {
    const s = stripTypedefs(t);
    if (s.kind === 'struct' || s.kind === 'union' || s.kind === 'array') throw new ExprError(`cannot cast to ${typeName(t)}`);
    if (isFloat(t)) return fromNumber(t, toNumber(v));
    return fromBigInt(t, isFloat(v.type) ? BigInt(Math.trunc(toNumber(v))) : toBigInt(v));
  }

  private unary(op: string, e: Node): EValue {
    const env = this.scope.env;
    if (op === '&') {
      const v = this.c(e);
      if (v.place.kind !== 'memory') throw new ExprError('this value has no address (a register or a computed value)');
      return fromBigInt(pointerTo(v.type), BigInt(v.place.address));
    }
    if (op === '*') return deref(env, this.c(e));
    const v = this.c(e);
    if (op === '!') return fromBigInt(BUILTIN.int, truthy(v) ? 0n : 1n);
    if (op === '+') return v;
    if (isFloat(v.type)) {
      if (op === '-') return fromNumber(v.type, -toNumber(v));
      throw new ExprError(`'${op}' needs an integer`);
    }
    const t = promote(v.type);
    return fromBigInt(t, op === '-' ? -toBigInt(v) : ~toBigInt(v));
  }

  private binary(op: string, an: Node, bn: Node): EValue {
    if (op === '&&') return fromBigInt(BUILTIN.int, truthy(this.c(an)) && truthy(this.c(bn)) ? 1n : 0n);
    if (op === '||') return fromBigInt(BUILTIN.int, truthy(this.c(an)) || truthy(this.c(bn)) ? 1n : 0n);
    const av = this.eval(an), bv = this.eval(bn);
    if (isString(av) || isString(bv)) {
      if (op !== '==' && op !== '!=') throw new ExprError('a string can only be compared with == or !=');
      const text = (v: EValue) => (isString(v) ? v.text : undefined);
      const eq = text(av) === text(bv);
      return fromBigInt(BUILTIN.int, (op === '==') === eq ? 1n : 0n);
    }
    const a = av, b = bv;
    // Pointer arithmetic: p + n, p - n scale by the element size; p - q counts elements.
    if ((op === '+' || op === '-') && isPointerLike(a.type) && !isPointerLike(b.type)) {
      const { target, address } = pointee(a);
      const scale = BigInt(typeSize(target) ?? 1);
      const off = toBigInt(b) * scale;
      return fromBigInt(pointerTo(target), BigInt(address) + (op === '+' ? off : -off));
    }
    if (op === '-' && isPointerLike(a.type) && isPointerLike(b.type)) {
      const pa = pointee(a), pb = pointee(b);
      return fromBigInt(BUILTIN.long, BigInt(pa.address - pb.address) / BigInt(typeSize(pa.target) || 1));
    }
    if (isFloat(a.type) || isFloat(b.type)) {
      const x = toNumber(a), y = toNumber(b);
      const cmp = compare(op, x, y);
      if (cmp !== undefined) return fromBigInt(BUILTIN.int, cmp ? 1n : 0n);
      const r = op === '+' ? x + y : op === '-' ? x - y : op === '*' ? x * y : op === '/' ? x / y : undefined;
      if (r === undefined) throw new ExprError(`'${op}' needs integers`);
      return fromNumber(BUILTIN.double, r);
    }
    const x = toBigInt(a), y = toBigInt(b);
    const cmp = compare(op, x, y);
    if (cmp !== undefined) return fromBigInt(BUILTIN.int, cmp ? 1n : 0n);
    if ((op === '/' || op === '%') && y === 0n) throw new ValueError('division by zero');
    const r = { '+': x + y, '-': x - y, '*': x * y, '/': op === '/' ? x / y : 0n, '%': op === '%' ? x % y : 0n, '<<': x << y, '>>': x >> y, '&': x & y, '|': x | y, '^': x ^ y }[op];
    if (r === undefined) throw new ExprError(`unknown operator '${op}'`);
    return fromBigInt(wider(promote(a.type), promote(b.type)), r);
  }
}

function compare<T extends number | bigint>(op: string, x: T, y: T): boolean | undefined {
  switch (op) {
    case '==': return x === y;
    case '!=': return x !== y;
    case '<': return x < y;
    case '>': return x > y;
    case '<=': return x <= y;
    case '>=': return x >= y;
    default: return undefined;
  }
}

/** C's integer promotion: anything narrower than int computes as int. */
function promote(t: Type): Type {
  const size = typeSize(t) ?? 8;
  if (isPointerLike(t)) return BUILTIN.ulong;
  return size < 4 ? BUILTIN.int : t;
}

function wider(a: Type, b: Type): Type {
  return (typeSize(b) ?? 8) > (typeSize(a) ?? 8) ? b : a;
}
