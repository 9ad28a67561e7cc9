/*
 * F/D test-vector generator. Built for riscv64 and run under qemu-riscv64, whose floating
 * point is an exact software implementation; it prints, for every operation of the F and D
 * extensions except loads and stores, the operands, the result register and fflags. The
 * output is the oracle that test/cpu/fpu-vectors.test.ts checks executeFp against.
 *
 * Output format (text):
 *   @NAME SHAPE           start of an operation's vectors; NAME is the Op enum name,
 *                         SHAPE says where operands and result live: "ff:f" = rs1 and rs2
 *                         are FP registers, rd is an FP register; "x" = integer register.
 *   RM FRM A B C R FLAGS  one vector: the instruction's rm field (0-4 static, 7 dynamic),
 *                         the frm CSR at the time, operand registers rs1 rs2 rs3 as 64-bit
 *                         hex (unused ones 0), the 64-bit result register, fflags (hex).
 *   !NAME RM FRM T        legality: with rm field RM and frm FRM the instruction trapped
 *                         with SIGILL (T=1) or executed (T=0).
 *
 * Operands are edge values (signed zeros, infinities, quiet and signalling NaNs, subnormals,
 * extreme normals, rounding boundaries, integer extremes, improperly NaN-boxed singles) and
 * random values from a fixed-seed generator shaped to hit rounding ties, cancellation,
 * underflow and overflow. Each operand set runs in all five rounding modes, alternately as a
 * static rm (with frm deliberately set to a different mode) and as dynamic rm with frm set.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef uint64_t u64;
typedef uint32_t u32;
typedef u64 (*opfn)(u64 a, u64 b, u64 c, unsigned *flags);

/* ---- one function per (instruction, rounding mode) ------------------------------------- */

/* Every function loads rs1/rs2/rs3 = ft0/ft1/ft2 bit for bit (fmv.d.x keeps improperly
 * boxed singles), clears fflags, runs the instruction, and returns the destination register
 * (ft3, or %0 for an integer destination) with the flags it raised. */
#define PROLOGUE "fmv.d.x ft0, %2\n\tfmv.d.x ft1, %3\n\tfmv.d.x ft2, %4\n\tcsrw fflags, zero\n\t"
#define TO_F "\n\tcsrr %1, fflags\n\tfmv.x.d %0, ft3"
#define TO_X "\n\tcsrr %1, fflags"
#define FN(fname, text)                                                                     \
  static u64 fname(u64 a, u64 b, u64 c, unsigned *fl) {                                   \
    u64 r;                                                                                \
    unsigned long f;                                                                      \
    __asm__ volatile(PROLOGUE text                                                        \
                     : "=&r"(r), "=&r"(f)                                                 \
                     : "r"(a), "r"(b), "r"(c)                                             \
                     : "ft0", "ft1", "ft2", "ft3", "t0", "memory");                       \
    *fl = (unsigned)f;                                                                    \
    return r;                                                                             \
  }

/* Instruction shapes; RM is the assembler's rounding-mode suffix. */
#define FFF_F(fname, insn, rm) FN(fname, insn " ft3, ft0, ft1, ft2, " rm TO_F)
#define FF_F(fname, insn, rm) FN(fname, insn " ft3, ft0, ft1, " rm TO_F)
#define F_F(fname, insn, rm) FN(fname, insn " ft3, ft0, " rm TO_F)
#define F_X(fname, insn, rm) FN(fname, insn " %0, ft0, " rm TO_X)
#define X_F(fname, insn, rm) FN(fname, insn " ft3, %2, " rm TO_F)

/* The six rounding-mode variants of an instruction that has an rm field. */
#define ALL_RM(SHAPE, name, insn)                                                           \
  SHAPE(name##_rne, insn, "rne") SHAPE(name##_rtz, insn, "rtz") SHAPE(name##_rdn, insn, "rdn") \
  SHAPE(name##_rup, insn, "rup") SHAPE(name##_rmm, insn, "rmm") SHAPE(name##_dyn, insn, "dyn")
#define RM_FNS(name) { name##_rne, name##_rtz, name##_rdn, name##_rup, name##_rmm, name##_dyn }

/* The same instruction with the reserved static rm values 5 and 6, written with .insn
 * because the assembler has no names for them. KIND_OPC is "r 0x53" or "r4 0x43" etc.,
 * REST the fields after funct3; integer registers in REST are t0. */
#define RESERVED_RM(name, kind_opc, rest)                                                   \
  FN(name##_rm5, ".insn " kind_opc ", 5, " rest TO_F)                                     \
  FN(name##_rm6, ".insn " kind_opc ", 6, " rest TO_F)

/* Instructions without an rm field (the funct3 field selects the operation). */
FN(fsgnj_s, "fsgnj.s ft3, ft0, ft1" TO_F)
FN(fsgnjn_s, "fsgnjn.s ft3, ft0, ft1" TO_F)
FN(fsgnjx_s, "fsgnjx.s ft3, ft0, ft1" TO_F)
FN(fmin_s, "fmin.s ft3, ft0, ft1" TO_F)
FN(fmax_s, "fmax.s ft3, ft0, ft1" TO_F)
FN(feq_s, "feq.s %0, ft0, ft1" TO_X)
FN(flt_s, "flt.s %0, ft0, ft1" TO_X)
FN(fle_s, "fle.s %0, ft0, ft1" TO_X)
FN(fclass_s, "fclass.s %0, ft0" TO_X)
FN(fmv_x_w, "fmv.x.w %0, ft0" TO_X)
FN(fmv_w_x, "fmv.w.x ft3, %2" TO_F)
FN(fsgnj_d, "fsgnj.d ft3, ft0, ft1" TO_F)
FN(fsgnjn_d, "fsgnjn.d ft3, ft0, ft1" TO_F)
FN(fsgnjx_d, "fsgnjx.d ft3, ft0, ft1" TO_F)
FN(fmin_d, "fmin.d ft3, ft0, ft1" TO_F)
FN(fmax_d, "fmax.d ft3, ft0, ft1" TO_F)
FN(feq_d, "feq.d %0, ft0, ft1" TO_X)
FN(flt_d, "flt.d %0, ft0, ft1" TO_X)
FN(fle_d, "fle.d %0, ft0, ft1" TO_X)
FN(fclass_d, "fclass.d %0, ft0" TO_X)
FN(fmv_x_d, "fmv.x.d %0, ft0" TO_X)
FN(fmv_d_x, "fmv.d.x ft3, %2" TO_F)

/* Instructions with an rm field: all six variants plus the two reserved encodings. The
 * .insn fields are the spec's encodings: opcode OP-FP 0x53 with funct7, or the R4 opcodes
 * 0x43/0x47/0x4b/0x4f with fmt (0 = S, 1 = D); for conversions rs2 selects the integer type
 * (x0 = W, x1 = WU, x2 = L, x3 = LU) or the source format. */
#define RM_OP(SHAPE, name, insn, kind_opc, rest) ALL_RM(SHAPE, name, insn) RESERVED_RM(name, kind_opc, rest)
/* The assembler refuses an rm suffix on the conversions that cannot round (fcvt.d.s,
 * fcvt.d.w, fcvt.d.wu) although the encoding has the field: write every variant as .insn. */
#define RM_INSN_OP(name, kind_opc, rest)                                                    \
  FN(name##_rne, ".insn " kind_opc ", 0, " rest TO_F)                                     \
  FN(name##_rtz, ".insn " kind_opc ", 1, " rest TO_F)                                     \
  FN(name##_rdn, ".insn " kind_opc ", 2, " rest TO_F)                                     \
  FN(name##_rup, ".insn " kind_opc ", 3, " rest TO_F)                                     \
  FN(name##_rmm, ".insn " kind_opc ", 4, " rest TO_F)                                     \
  FN(name##_dyn, ".insn " kind_opc ", 7, " rest TO_F) RESERVED_RM(name, kind_opc, rest)
RM_OP(FFF_F, fmadd_s, "fmadd.s", "r4 0x43", "0, ft3, ft0, ft1, ft2")
RM_OP(FFF_F, fmsub_s, "fmsub.s", "r4 0x47", "0, ft3, ft0, ft1, ft2")
RM_OP(FFF_F, fnmsub_s, "fnmsub.s", "r4 0x4b", "0, ft3, ft0, ft1, ft2")
RM_OP(FFF_F, fnmadd_s, "fnmadd.s", "r4 0x4f", "0, ft3, ft0, ft1, ft2")
RM_OP(FF_F, fadd_s, "fadd.s", "r 0x53", "0x00, ft3, ft0, ft1")
RM_OP(FF_F, fsub_s, "fsub.s", "r 0x53", "0x04, ft3, ft0, ft1")
RM_OP(FF_F, fmul_s, "fmul.s", "r 0x53", "0x08, ft3, ft0, ft1")
RM_OP(FF_F, fdiv_s, "fdiv.s", "r 0x53", "0x0c, ft3, ft0, ft1")
RM_OP(F_F, fsqrt_s, "fsqrt.s", "r 0x53", "0x2c, ft3, ft0, x0")
RM_OP(F_X, fcvt_w_s, "fcvt.w.s", "r 0x53", "0x60, t0, ft0, x0")
RM_OP(F_X, fcvt_wu_s, "fcvt.wu.s", "r 0x53", "0x60, t0, ft0, x1")
RM_OP(F_X, fcvt_l_s, "fcvt.l.s", "r 0x53", "0x60, t0, ft0, x2")
RM_OP(F_X, fcvt_lu_s, "fcvt.lu.s", "r 0x53", "0x60, t0, ft0, x3")
RM_OP(X_F, fcvt_s_w, "fcvt.s.w", "r 0x53", "0x68, ft3, t0, x0")
RM_OP(X_F, fcvt_s_wu, "fcvt.s.wu", "r 0x53", "0x68, ft3, t0, x1")
RM_OP(X_F, fcvt_s_l, "fcvt.s.l", "r 0x53", "0x68, ft3, t0, x2")
RM_OP(X_F, fcvt_s_lu, "fcvt.s.lu", "r 0x53", "0x68, ft3, t0, x3")
RM_OP(FFF_F, fmadd_d, "fmadd.d", "r4 0x43", "1, ft3, ft0, ft1, ft2")
RM_OP(FFF_F, fmsub_d, "fmsub.d", "r4 0x47", "1, ft3, ft0, ft1, ft2")
RM_OP(FFF_F, fnmsub_d, "fnmsub.d", "r4 0x4b", "1, ft3, ft0, ft1, ft2")
RM_OP(FFF_F, fnmadd_d, "fnmadd.d", "r4 0x4f", "1, ft3, ft0, ft1, ft2")
RM_OP(FF_F, fadd_d, "fadd.d", "r 0x53", "0x01, ft3, ft0, ft1")
RM_OP(FF_F, fsub_d, "fsub.d", "r 0x53", "0x05, ft3, ft0, ft1")
RM_OP(FF_F, fmul_d, "fmul.d", "r 0x53", "0x09, ft3, ft0, ft1")
RM_OP(FF_F, fdiv_d, "fdiv.d", "r 0x53", "0x0d, ft3, ft0, ft1")
RM_OP(F_F, fsqrt_d, "fsqrt.d", "r 0x53", "0x2d, ft3, ft0, x0")
RM_OP(F_F, fcvt_s_d, "fcvt.s.d", "r 0x53", "0x20, ft3, ft0, x1")
RM_INSN_OP(fcvt_d_s, "r 0x53", "0x21, ft3, ft0, x0")
RM_OP(F_X, fcvt_w_d, "fcvt.w.d", "r 0x53", "0x61, t0, ft0, x0")
RM_OP(F_X, fcvt_wu_d, "fcvt.wu.d", "r 0x53", "0x61, t0, ft0, x1")
RM_OP(F_X, fcvt_l_d, "fcvt.l.d", "r 0x53", "0x61, t0, ft0, x2")
RM_OP(F_X, fcvt_lu_d, "fcvt.lu.d", "r 0x53", "0x61, t0, ft0, x3")
RM_INSN_OP(fcvt_d_w, "r 0x53", "0x69, ft3, %2, x0")
RM_INSN_OP(fcvt_d_wu, "r 0x53", "0x69, ft3, %2, x1")
RM_OP(X_F, fcvt_d_l, "fcvt.d.l", "r 0x53", "0x69, ft3, t0, x2")
RM_OP(X_F, fcvt_d_lu, "fcvt.d.lu", "r 0x53", "0x69, ft3, t0, x3")

static void set_frm(unsigned m) { __asm__ volatile("fsrm %0" : : "r"(m)); }

/* ---- operand values --------------------------------------------------------------------- */

static u64 rng = 0x9e3779b97f4a7c15ull;

/* splitmix64: a small, well-mixed, seedable generator. */
static u64 rnd(void) {
  u64 z = (rng += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}
static unsigned below(unsigned n) { return (unsigned)(rnd() % n); }

static u64 dbits(double x) { u64 b; memcpy(&b, &x, 8); return b; }
static double dval(u64 b) { double x; memcpy(&x, &b, 8); return x; }
static u32 sbits(float x) { u32 b; memcpy(&b, &x, 4); return b; }
static float sval(u32 b) { float x; memcpy(&x, &b, 4); return x; }
#define BOX 0xffffffff00000000ull
static u64 boxs(float x) { return BOX | sbits(x); }

/* Precision descriptions so one generator serves both formats. */
struct fmt {
  int mant_bits;  /* stored fraction bits */
  int exp_bits;
  int bias;
};
static const struct fmt S = {23, 8, 127}, D = {52, 11, 1023};

static u64 make(const struct fmt *f, int neg, int biased, u64 frac) {
  u64 v = ((u64)neg << (f->mant_bits + f->exp_bits)) | ((u64)biased << f->mant_bits) |
          (frac & ((1ull << f->mant_bits) - 1));
  return f == &S ? BOX | v : v;
}
static int biased_of(const struct fmt *f, u64 v) {
  return (int)((v >> f->mant_bits) & ((1u << f->exp_bits) - 1));
}
static int clamp(int x, int lo, int hi) { return x < lo ? lo : x > hi ? hi : x; }

/* A fraction with a random number of trailing zero bits: short significands make exact
 * results and exact halfway cases frequent. */
static u64 frac_with_zeros(const struct fmt *f) {
  u64 fr = rnd() & ((1ull << f->mant_bits) - 1);
  unsigned z = below(f->mant_bits + 1);
  return fr & ~((1ull << z) - 1);
}

/* A random value of a random flavour. */
static u64 rand_val(const struct fmt *f) {
  int neg = (int)(rnd() & 1);
  int maxb = (1 << f->exp_bits) - 2;
  switch (below(10)) {
  case 0: /* any bit pattern (NaNs and infinities included) */
    return make(f, neg, (int)(rnd() % (u64)(maxb + 2)), rnd());
  case 1: case 2: case 3: /* ordinary magnitudes */
    return make(f, neg, f->bias - 8 + (int)below(17), rnd());
  case 4: case 5: /* ordinary magnitudes, short significand */
    return make(f, neg, f->bias - 8 + (int)below(17), frac_with_zeros(f));
  case 6: /* subnormal or barely normal */
    return make(f, neg, (int)below(4), below(2) ? rnd() : frac_with_zeros(f));
  case 7: /* near the overflow threshold */
    return make(f, neg, maxb - (int)below(4), below(2) ? rnd() : frac_with_zeros(f));
  default: /* anywhere in the finite range */
    return make(f, neg, 1 + (int)below((unsigned)maxb), below(2) ? rnd() : frac_with_zeros(f));
  }
}

/* A value whose exponent is `delta` away from v's (clamped to the finite range). */
static u64 near_exp(const struct fmt *f, u64 v, int delta, int neg) {
  int maxb = (1 << f->exp_bits) - 2;
  int b = clamp(biased_of(f, v) + delta, 0, maxb);
  return make(f, neg, b, below(2) ? rnd() : frac_with_zeros(f));
}

/* v moved by `ulps` units in the last place (bit pattern arithmetic, same sign). */
static u64 bump(const struct fmt *f, u64 v, int ulps) {
  u64 mag_mask = (1ull << (f->mant_bits + f->exp_bits)) - 1;
  u64 sign = v & ~mag_mask & (f == &S ? 0x80000000ull : 0x8000000000000000ull);
  u64 mag = (v & mag_mask) + (u64)(int64_t)ulps;
  return (f == &S ? BOX : 0) | sign | (mag & mag_mask);
}

static double as_double(const struct fmt *f, u64 v) { return f == &S ? (double)sval((u32)v) : dval(v); }
static u64 from_double(const struct fmt *f, double x) { return f == &S ? boxs((float)x) : dbits(x); }

/* Second operand for a binary operation on a: often related to a, so that results land on
 * ties, cancel, or reach the underflow and overflow thresholds. */
static u64 partner(const struct fmt *f, u64 a, int is_mul) {
  int neg = (int)(rnd() & 1);
  switch (below(6)) {
  case 0: case 1:
    return rand_val(f);
  case 2: /* exponent close to a's: cancellation in add/sub, ordinary products */
    return near_exp(f, a, (int)below(9) - 4, neg);
  case 3: /* exponent far below a's: sticky bits, halfway sums */
    return near_exp(f, a, -(int)below(f->mant_bits + 6), neg);
  case 4: /* a power of two just below a's last place: exact ties in add/sub */
    return make(f, neg, clamp(biased_of(f, a) - f->mant_bits - 1, 0, 2 * f->bias), 0);
  default: /* exponents summing (or differing) to the edges of the range */
    if (is_mul) {
      int target = below(2) ? 1 - f->bias : f->bias; /* unbiased result exponent */
      int eb = target + (int)below(5) - 2 - (biased_of(f, a) - f->bias);
      if (is_mul == 2) eb = -eb;                     /* division subtracts exponents */
      return make(f, neg, clamp(eb + f->bias, 0, 2 * f->bias), frac_with_zeros(f));
    }
    return bump(f, a ^ (f == &S ? 0x80000000ull : 0x8000000000000000ull), (int)below(7) - 3);
  }
}

/* Edge operands, the same for every operation of a format. */
static u64 edge_d[40], edge_s[40], edge3_d[12], edge3_s[12], cvt_d[80], cvt_s[80], ints[48];
static int n_edge_d, n_edge_s, n_edge3_d, n_edge3_s, n_cvt_d, n_cvt_s, n_ints;

static void init_edges(void) {
  static const u64 special_d[] = {
      0, 0x8000000000000000ull, 0x7ff0000000000000ull, 0xfff0000000000000ull,
      0x7ff8000000000000ull, 0xfff8000000000001ull, /* canonical and negative payload qNaN */
      0x7ff0000000000001ull, 0xfff4000000000000ull, /* sNaNs */
      1, 0x800fffffffffffffull, 3, 0x0008000000000000ull, /* subnormals */
      0x0010000000000000ull, 0x8010000000000001ull, 0x7fefffffffffffffull,
      0xffefffffffffffffull, 0x7fe0000000000000ull,
  };
  static const double ordinary[] = {1.0, -1.5, 2.0, 3.0, 0.1, -3.5, 0.5, 0x1p-53, 0x1p53, 0x1p63,
                                    -0x1p63, 2147483647.0, 0x1p31};
  static const u32 special_s[] = {
      0, 0x80000000u, 0x7f800000u, 0xff800000u, 0x7fc00000u, 0xffc00001u, 0x7f800001u,
      0xffa00000u, 1, 0x807fffffu, 3, 0x00400000u, 0x00800000u, 0x80800001u, 0x7f7fffffu,
      0xff7fffffu, 0x7f000000u,
  };
  for (unsigned i = 0; i < sizeof special_d / 8; i++) edge_d[n_edge_d++] = special_d[i];
  for (unsigned i = 0; i < sizeof ordinary / 8; i++) edge_d[n_edge_d++] = dbits(ordinary[i]);
  edge_d[n_edge_d++] = 0x3ff0000000000001ull; /* 1 + ulp */
  edge_d[n_edge_d++] = 0x3fefffffffffffffull; /* 1 - ulp/2 */
  for (unsigned i = 0; i < sizeof special_s / 4; i++) edge_s[n_edge_s++] = BOX | special_s[i];
  for (unsigned i = 0; i < sizeof ordinary / 8; i++) edge_s[n_edge_s++] = boxs((float)ordinary[i]);
  edge_s[n_edge_s++] = BOX | 0x3f800001u;
  edge_s[n_edge_s++] = BOX | 0x3f7fffffu;
  /* improperly NaN-boxed singles: they must read as the canonical NaN */
  edge_s[n_edge_s++] = 0x000000003f800000ull;
  edge_s[n_edge_s++] = 0xfffffffe3f800000ull;
  edge_s[n_edge_s++] = 0x7ff8000000000000ull;

  /* A smaller set for the three-operand FMA. */
  static const int pick3[] = {0, 1, 2, 3, 4, 6, 8, 12, 14, 17, 18, 22};
  for (unsigned i = 0; i < 12; i++) {
    edge3_d[n_edge3_d++] = edge_d[pick3[i]];
    edge3_s[n_edge3_s++] = edge_s[pick3[i]];
  }

  /* Conversion edges: integers, halfway points and the limits of every integer type. */
  static const double conv[] = {
      0.3, 0.5, 0.7, 1.5, 2.5, -0.3, -0.5, -0.7, -1.0, -1.5, -2.5, 1e10, -1e10,
      2147483647.0, 2147483647.5, 2147483648.0, 2147483648.5, -2147483648.0, -2147483648.5,
      -2147483649.0, 4294967295.0, 4294967295.5, 4294967296.0, -4294967296.0,
      0x1p52 + 0.5, 0x1p52 + 1.5, -0x1p52 - 0.5, 0x1p53, 0x1p63 - 1024, 0x1p63, -0x1p63,
      -0x1p63 - 2048, 0x1p64 - 2048, 0x1p64, -0x1p64, 0x1p24 + 1, 0x1p24 + 3, 16777215.5,
      8388607.5, 8388608.5, 0x1p62 + 0x1p39, -0x1p31 - 0.5,
  };
  for (int i = 0; i < n_edge_d; i++) cvt_d[n_cvt_d++] = edge_d[i];
  for (int i = 0; i < n_edge_s; i++) cvt_s[n_cvt_s++] = edge_s[i];
  for (unsigned i = 0; i < sizeof conv / 8; i++) {
    cvt_d[n_cvt_d++] = dbits(conv[i]);
    cvt_s[n_cvt_s++] = boxs((float)conv[i]);
  }

  static const u64 int_edges[] = {
      0, 1, 2, 3, 0xffffffffffffffffull, 0xfffffffffffffffeull, 0x7fffffff, 0x80000000,
      0xffffffff, 0x100000000ull, 0xffffffff80000000ull, 0xffffffff7fffffffull,
      0x7fffffffffffffffull, 0x8000000000000000ull, 0x8000000000000001ull,
      0x20000000000000ull, 0x20000000000001ull, 0x20000000000003ull, 0x40000000000002ull,
      0x1000001, 0x1000003, 0x1000002, 0x2000005, 0xffffff, 0x7fffffc0, 0x7fffffc1,
      0xffffff80, 0xffffffc0, 0xfffffffffffffc00ull, 0xfffffffffffffbffull,
      0x7ffffffffffffdffull, 0x7ffffffffffffe00ull, 0x123456780000007full,
      0xdeadbeef80000001ull, 0xffffffff00000001ull, 0x00000001ffffffffull,
  };
  for (unsigned i = 0; i < sizeof int_edges / 8; i++) ints[n_ints++] = int_edges[i];
}

/* A random 64-bit integer of random length, sometimes with garbage above bit 31 for the
 * W-sized conversions. */
static u64 rand_int(void) {
  unsigned len = 1 + below(64);
  u64 v = rnd() & (len == 64 ? ~0ull : (1ull << len) - 1);
  if (below(3) == 0) v &= ~((1ull << below(len)) - 1); /* short significands: ties */
  return below(2) ? v : ~v + 1;
}

/* A random value for float-to-integer conversion: integers, halves and quarters near the
 * limits of each integer type, and anything. */
static u64 rand_cvt(const struct fmt *f) {
  static const double limits[] = {0, 0x1p31, 0x1p32, 0x1p63, 0x1p64, 1, 0x1p24, 0x1p53};
  switch (below(3)) {
  case 0:
    return rand_val(f);
  case 1: {
    double base = limits[below(8)] * (below(2) ? 1 : -1);
    double x = base + (double)((int)below(9) - 4) * 0.25;
    return from_double(f, x);
  }
  default: {
    double x = (double)(int64_t)(rnd() >> below(64)) + (double)below(4) * 0.25;
    return from_double(f, below(2) ? x : -x);
  }
  }
}

/* A double that converts to single interestingly: in and around single's range, with the
 * bits below single precision shaped into ties and near-ties. */
static u64 rand_narrow(void) {
  int e = (int)below(340) - 170 + 1023;
  u64 frac = rnd() & ((1ull << 52) - 1);
  switch (below(4)) {
  case 0: frac &= ~((1ull << 29) - 1); frac |= 1ull << 28; break; /* exactly halfway */
  case 1: frac &= ~((1ull << 28) - 1); break;                      /* exact in single (or halfway) */
  default: break;
  }
  return ((rnd() & 1) << 63) | ((u64)e << 52) | frac;
}

/* ---- emitting vectors -------------------------------------------------------------------- */

struct op {
  const char *name;
  const char *shape;
  opfn fn[6]; /* rne rtz rdn rup rmm dyn; fn[0] alone for ops without rm */
  opfn rm5, rm6;
};

static unsigned counter;

/* Runs one operand set in all five rounding modes, alternating static and dynamic rm. */
static void emit_all_modes(const struct op *o, u64 a, u64 b, u64 c) {
  int dynamic = (int)(counter++ & 1);
  for (unsigned m = 0; m < 5; m++) {
    unsigned frm = dynamic ? m : (m + 3) % 5, rmf = dynamic ? 7 : m;
    unsigned fl;
    set_frm(frm);
    u64 r = o->fn[dynamic ? 5 : m](a, b, c, &fl);
    printf("%u %u %llx %llx %llx %llx %x\n", rmf, frm, (unsigned long long)a, (unsigned long long)b,
           (unsigned long long)c, (unsigned long long)r, fl);
  }
}

static void emit_once(const struct op *o, u64 a, u64 b, u64 c) {
  unsigned fl;
  set_frm(0);
  u64 r = o->fn[0](a, b, c, &fl);
  printf("0 0 %llx %llx %llx %llx %x\n", (unsigned long long)a, (unsigned long long)b,
         (unsigned long long)c, (unsigned long long)r, fl);
}

static sigjmp_buf trap;
static void on_sigill(int sig) { (void)sig; siglongjmp(trap, 1); }

static int traps(opfn fn, unsigned frm) {
  unsigned fl;
  set_frm(frm);
  if (sigsetjmp(trap, 1)) { set_frm(0); return 1; }
  fn(0, 0, 0, &fl);
  set_frm(0);
  return 0;
}

/* Which encodings are illegal: reserved static rm values, and dynamic rm with a reserved frm. */
static void emit_legality(const struct op *o) {
  int has_rm = o->rm5 != 0;
  for (unsigned frm = 5; frm < 8; frm++)
    printf("!%s 7 %u %d\n", o->name, frm, traps(has_rm ? o->fn[5] : o->fn[0], frm));
  if (has_rm) {
    printf("!%s 5 0 %d\n", o->name, traps(o->rm5, 0));
    printf("!%s 6 0 %d\n", o->name, traps(o->rm6, 0));
  }
}

#define RMOP(NAME, name, shape) {NAME, shape, RM_FNS(name), name##_rm5, name##_rm6}
#define PLAIN(NAME, name, shape) {NAME, shape, {name}, 0, 0}

enum kind { BIN, FMA, UNARY, TO_INT, FROM_INT, NARROW, PLAIN2, PLAIN1, MOVE_TO_F };

struct job {
  struct op op;
  enum kind kind;
  const struct fmt *f;
  int nrand;
  int is_mul; /* 1 multiply, 2 divide: shape partners for products/quotients */
};

static const struct job jobs[] = {
    {RMOP("FMADD_S", fmadd_s, "fff:f"), FMA, &S, 1500, 0},
    {RMOP("FMSUB_S", fmsub_s, "fff:f"), FMA, &S, 500, 0},
    {RMOP("FNMSUB_S", fnmsub_s, "fff:f"), FMA, &S, 500, 0},
    {RMOP("FNMADD_S", fnmadd_s, "fff:f"), FMA, &S, 500, 0},
    {RMOP("FADD_S", fadd_s, "ff:f"), BIN, &S, 1200, 0},
    {RMOP("FSUB_S", fsub_s, "ff:f"), BIN, &S, 600, 0},
    {RMOP("FMUL_S", fmul_s, "ff:f"), BIN, &S, 1200, 1},
    {RMOP("FDIV_S", fdiv_s, "ff:f"), BIN, &S, 1200, 2},
    {RMOP("FSQRT_S", fsqrt_s, "f:f"), UNARY, &S, 800, 0},
    {PLAIN("FSGNJ_S", fsgnj_s, "ff:f"), PLAIN2, &S, 100, 0},
    {PLAIN("FSGNJN_S", fsgnjn_s, "ff:f"), PLAIN2, &S, 100, 0},
    {PLAIN("FSGNJX_S", fsgnjx_s, "ff:f"), PLAIN2, &S, 100, 0},
    {PLAIN("FMIN_S", fmin_s, "ff:f"), PLAIN2, &S, 300, 0},
    {PLAIN("FMAX_S", fmax_s, "ff:f"), PLAIN2, &S, 300, 0},
    {RMOP("FCVT_W_S", fcvt_w_s, "f:x"), TO_INT, &S, 600, 0},
    {RMOP("FCVT_WU_S", fcvt_wu_s, "f:x"), TO_INT, &S, 600, 0},
    {RMOP("FCVT_L_S", fcvt_l_s, "f:x"), TO_INT, &S, 600, 0},
    {RMOP("FCVT_LU_S", fcvt_lu_s, "f:x"), TO_INT, &S, 600, 0},
    {RMOP("FCVT_S_W", fcvt_s_w, "x:f"), FROM_INT, &S, 600, 0},
    {RMOP("FCVT_S_WU", fcvt_s_wu, "x:f"), FROM_INT, &S, 600, 0},
    {RMOP("FCVT_S_L", fcvt_s_l, "x:f"), FROM_INT, &S, 600, 0},
    {RMOP("FCVT_S_LU", fcvt_s_lu, "x:f"), FROM_INT, &S, 600, 0},
    {PLAIN("FMV_X_W", fmv_x_w, "f:x"), PLAIN1, &S, 100, 0},
    {PLAIN("FMV_W_X", fmv_w_x, "x:f"), MOVE_TO_F, &S, 100, 0},
    {PLAIN("FEQ_S", feq_s, "ff:x"), PLAIN2, &S, 300, 0},
    {PLAIN("FLT_S", flt_s, "ff:x"), PLAIN2, &S, 300, 0},
    {PLAIN("FLE_S", fle_s, "ff:x"), PLAIN2, &S, 300, 0},
    {PLAIN("FCLASS_S", fclass_s, "f:x"), PLAIN1, &S, 300, 0},
    {RMOP("FMADD_D", fmadd_d, "fff:f"), FMA, &D, 3000, 0},
    {RMOP("FMSUB_D", fmsub_d, "fff:f"), FMA, &D, 800, 0},
    {RMOP("FNMSUB_D", fnmsub_d, "fff:f"), FMA, &D, 800, 0},
    {RMOP("FNMADD_D", fnmadd_d, "fff:f"), FMA, &D, 800, 0},
    {RMOP("FADD_D", fadd_d, "ff:f"), BIN, &D, 1500, 0},
    {RMOP("FSUB_D", fsub_d, "ff:f"), BIN, &D, 800, 0},
    {RMOP("FMUL_D", fmul_d, "ff:f"), BIN, &D, 1500, 1},
    {RMOP("FDIV_D", fdiv_d, "ff:f"), BIN, &D, 1500, 2},
    {RMOP("FSQRT_D", fsqrt_d, "f:f"), UNARY, &D, 1000, 0},
    {PLAIN("FSGNJ_D", fsgnj_d, "ff:f"), PLAIN2, &D, 100, 0},
    {PLAIN("FSGNJN_D", fsgnjn_d, "ff:f"), PLAIN2, &D, 100, 0},
    {PLAIN("FSGNJX_D", fsgnjx_d, "ff:f"), PLAIN2, &D, 100, 0},
    {PLAIN("FMIN_D", fmin_d, "ff:f"), PLAIN2, &D, 300, 0},
    {PLAIN("FMAX_D", fmax_d, "ff:f"), PLAIN2, &D, 300, 0},
    {RMOP("FCVT_S_D", fcvt_s_d, "f:f"), NARROW, &D, 1500, 0},
    {RMOP("FCVT_D_S", fcvt_d_s, "f:f"), UNARY, &S, 200, 0},
    {RMOP("FCVT_W_D", fcvt_w_d, "f:x"), TO_INT, &D, 600, 0},
    {RMOP("FCVT_WU_D", fcvt_wu_d, "f:x"), TO_INT, &D, 600, 0},
    {RMOP("FCVT_L_D", fcvt_l_d, "f:x"), TO_INT, &D, 600, 0},
    {RMOP("FCVT_LU_D", fcvt_lu_d, "f:x"), TO_INT, &D, 600, 0},
    {RMOP("FCVT_D_W", fcvt_d_w, "x:f"), FROM_INT, &D, 300, 0},
    {RMOP("FCVT_D_WU", fcvt_d_wu, "x:f"), FROM_INT, &D, 300, 0},
    {RMOP("FCVT_D_L", fcvt_d_l, "x:f"), FROM_INT, &D, 800, 0},
    {RMOP("FCVT_D_LU", fcvt_d_lu, "x:f"), FROM_INT, &D, 800, 0},
    {PLAIN("FMV_X_D", fmv_x_d, "f:x"), PLAIN1, &D, 100, 0},
    {PLAIN("FMV_D_X", fmv_d_x, "x:f"), MOVE_TO_F, &D, 100, 0},
    {PLAIN("FEQ_D", feq_d, "ff:x"), PLAIN2, &D, 300, 0},
    {PLAIN("FLT_D", flt_d, "ff:x"), PLAIN2, &D, 300, 0},
    {PLAIN("FLE_D", fle_d, "ff:x"), PLAIN2, &D, 300, 0},
    {PLAIN("FCLASS_D", fclass_d, "f:x"), PLAIN1, &D, 300, 0},
};

/* The addend for a random FMA: near −a·b (cancellation), at a chosen distance below or above
 * it (sticky bits, ties), or anything. */
static u64 fma_addend(const struct fmt *f, u64 a, u64 b) {
  double p = as_double(f, a) * as_double(f, b);
  switch (below(4)) {
  case 0:
    return rand_val(f);
  case 1: { /* cancels a·b to within a few units of its last place */
    u64 c = from_double(f, -p);
    return below(4) ? bump(f, c, (int)below(7) - 3) : c;
  }
  default: { /* exponent at a random distance from a·b's */
    u64 c = from_double(f, p);
    int neg = (int)(rnd() & 1);
    return near_exp(f, c, (int)below(2 * f->mant_bits + 20) - f->mant_bits - 12, neg);
  }
  }
}

/* A triple whose exact a·b + c lies within a hair of a midpoint between two results: b is
 * 2^k / a rounded, so a·b = 2^k(1 + δ) with tiny δ, and c's last place is 2^(k+1) (or a
 * neighbouring power), so a·b is about half of it. These reach the cases where a result is
 * rounded once too often if an implementation is not careful. */
static void midpoint_fma(const struct fmt *f, u64 *a, u64 *b, u64 *c) {
  int k = (int)below(40) - 20;
  *a = make(f, (int)(rnd() & 1), f->bias + (int)below(3) - 1, rnd());
  double two_k = k < 0 ? 1.0 / (double)(1ull << -k) : (double)(1ull << k);
  *b = from_double(f, two_k / as_double(f, *a));
  if (below(2)) *b = bump(f, *b, (int)below(3) - 1);
  int ce = k + 1 + f->mant_bits + (int)below(3) - 1; /* exponent of c */
  *c = make(f, (int)(rnd() & 1), f->bias + ce, rnd());
}

static void run(const struct job *j) {
  const struct op *o = &j->op;
  const struct fmt *f = j->f;
  const u64 *edge = f == &S ? edge_s : edge_d;
  int n_edge = f == &S ? n_edge_s : n_edge_d;
  printf("@%s %s\n", o->name, o->shape);
  switch (j->kind) {
  case BIN:
    for (int i = 0; i < n_edge; i++)
      for (int k = 0; k < n_edge; k++) emit_all_modes(o, edge[i], edge[k], 0);
    for (int i = 0; i < j->nrand; i++) {
      u64 a = rand_val(f);
      emit_all_modes(o, a, partner(f, a, j->is_mul), 0);
    }
    break;
  case FMA: {
    const u64 *e3 = f == &S ? edge3_s : edge3_d;
    for (int i = 0; i < 12; i++)
      for (int k = 0; k < 12; k++)
        for (int m = 0; m < 12; m++) emit_all_modes(o, e3[i], e3[k], e3[m]);
    for (int i = 0; i < j->nrand; i++) {
      u64 a = rand_val(f), b = partner(f, a, 1), c = fma_addend(f, a, b);
      if (below(4) == 0) midpoint_fma(f, &a, &b, &c);
      emit_all_modes(o, a, b, c);
    }
    break;
  }
  case UNARY:
    for (int i = 0; i < n_edge; i++) emit_all_modes(o, edge[i], 0, 0);
    for (int i = 0; i < j->nrand; i++) {
      u64 a = rand_val(f);
      if (below(3) == 0) { /* a perfect square or a neighbour of one */
        double r = as_double(f, make(f, 0, f->bias - 4 + (int)below(9), rnd() << (f->mant_bits / 2 + 2)));
        a = bump(f, from_double(f, r * r), (int)below(3) - 1);
      }
      emit_all_modes(o, a, 0, 0);
    }
    break;
  case NARROW:
    for (int i = 0; i < n_edge_d; i++) emit_all_modes(o, edge_d[i], 0, 0);
    for (int i = 0; i < j->nrand; i++) emit_all_modes(o, below(5) ? rand_narrow() : rand_val(f), 0, 0);
    break;
  case TO_INT: {
    const u64 *cv = f == &S ? cvt_s : cvt_d;
    int n_cv = f == &S ? n_cvt_s : n_cvt_d;
    for (int i = 0; i < n_cv; i++) emit_all_modes(o, cv[i], 0, 0);
    for (int i = 0; i < j->nrand; i++) emit_all_modes(o, rand_cvt(f), 0, 0);
    break;
  }
  case FROM_INT:
    for (int i = 0; i < n_ints; i++) emit_all_modes(o, ints[i], 0, 0);
    for (int i = 0; i < j->nrand; i++) emit_all_modes(o, rand_int(), 0, 0);
    break;
  case PLAIN2:
    for (int i = 0; i < n_edge; i++)
      for (int k = 0; k < n_edge; k++) emit_once(o, edge[i], edge[k], 0);
    for (int i = 0; i < j->nrand; i++) {
      u64 a = rand_val(f);
      emit_once(o, a, below(3) ? partner(f, a, 0) : a, 0);
    }
    break;
  case PLAIN1:
    for (int i = 0; i < n_edge; i++) emit_once(o, edge[i], 0, 0);
    for (int i = 0; i < j->nrand; i++) emit_once(o, below(4) ? rand_val(f) : rnd(), 0, 0);
    break;
  case MOVE_TO_F:
    for (int i = 0; i < n_ints; i++) emit_once(o, ints[i], 0, 0);
    for (int i = 0; i < j->nrand; i++) emit_once(o, rnd(), 0, 0);
    break;
  }
  emit_legality(o);
}

int main(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_sigill;
  sigaction(SIGILL, &sa, 0);
  init_edges();
  printf("# F/D vectors: operands, result and fflags as computed by qemu-riscv64\n");
  for (unsigned i = 0; i < sizeof jobs / sizeof jobs[0]; i++) run(&jobs[i]);
  return 0;
}
