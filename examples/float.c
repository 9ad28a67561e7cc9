/*
 * float: IEEE 754 double and float arithmetic as the F and D extensions do it.
 *
 * printf's conversions, the maths library, the four rounding modes of
 * fesetround(3), conversions between floating point and integers, and the
 * sticky exception flags of <fenv.h> (held in the fflags CSR on RISC-V).
 * `volatile` keeps the compiler from computing the results at build time.
 *
 * Out-of-range float-to-integer conversions are undefined in C; RISC-V's
 * fcvt instructions saturate, so these lines show what this hardware does
 * (x86-64 prints different numbers there).
 *
 * Exit status: 0.
 */
#include <fenv.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>

/* The flags currently raised, as short names. */
static void print_flags(const char *after)
{
	int flags = fetestexcept(FE_ALL_EXCEPT);
	printf("%-28s flags:%s%s%s%s%s%s\n", after,
	       flags & FE_INVALID ? " invalid" : "",
	       flags & FE_DIVBYZERO ? " divbyzero" : "",
	       flags & FE_OVERFLOW ? " overflow" : "",
	       flags & FE_UNDERFLOW ? " underflow" : "",
	       flags & FE_INEXACT ? " inexact" : "",
	       flags == 0 ? " none" : "");
}

int main(void)
{
	volatile double zero = 0.0, one = 1.0, three = 3.0, tenth = 0.1;
	volatile double big = 1e308, tiny = DBL_MIN;

	printf("-- printf --\n");
	printf("0.1          %%.17g = %.17g   %%a = %a\n", tenth, tenth);
	printf("1/3          %%.17g = %.17g\n", one / three);
	printf("0.1 + 0.2    %%.17g = %.17g\n", tenth + 0.2);
	printf("1e308 * 10   %%g = %g\n", big * 10);
	printf("-1/0         %%g = %g\n", -one / zero);
	/* RISC-V returns the canonical NaN, whose sign bit is clear (x86-64's is set). */
	printf("0/0          %%g = %g (sign bit %d)\n", zero / zero, signbit(zero / zero) != 0);
	printf("-0.0         %%g = %g (sign bit %d)\n", -zero, signbit(-zero) != 0);
	printf("DBL_MIN / 2^10 %%g = %g (subnormal)\n", tiny / 1024);
	printf("DBL_TRUE_MIN %%g = %g\n", DBL_TRUE_MIN);
	printf("FLT_MAX      %%g = %g, FLT_EPSILON = %g\n", (double)FLT_MAX, (double)FLT_EPSILON);
	printf("%%e = %e   %%f = %f   %%10.3f = [%10.3f]\n", 12345.678, 12345.678, -2.5);

	printf("-- libm --\n");
	volatile double two = 2.0, ten = 10.0;
	printf("sqrt(2)        = %.17g\n", sqrt(two));
	printf("cbrt(10)       = %.17g\n", cbrt(ten));
	printf("exp(1)         = %.17g\n", exp(one));
	printf("log(10)        = %.17g\n", log(ten));
	printf("sin(pi/6)      = %.17g\n", sin(M_PI / 6 * one));
	printf("cos(pi/3)      = %.17g\n", cos(M_PI / 3 * one));
	printf("atan2(1, -1)   = %.17g\n", atan2(one, -one));
	printf("pow(2, 0.5)    = %.17g\n", pow(two, 0.5));
	printf("fma(0.1,10,-1) = %.17g (one rounding)\n", fma(tenth, ten, -one));
	printf("0.1 * 10 - 1   = %.17g (two roundings)\n", tenth * ten - one);
	printf("sqrtf(2)       = %.9g (float)\n", (double)sqrtf((float)two));
	printf("fmin(NaN, 1)   = %g\n", fmin(NAN, one));

	printf("-- rounding modes --\n");
	const struct { int mode; const char *name; } modes[] = {
		{ FE_TONEAREST, "to nearest" }, { FE_UPWARD, "upward" },
		{ FE_DOWNWARD, "downward" }, { FE_TOWARDZERO, "toward zero" },
	};
	for (int i = 0; i < 4; i++) {
		fesetround(modes[i].mode);
		volatile double half = 2.5, minus_half = -2.5;
		printf("%-12s rint(2.5)=%g rint(-2.5)=%g 1/3=%.17g lrint(-1.5)=%ld\n", modes[i].name,
		       rint(half), rint(minus_half), one / three, lrint(minus_half + one));
	}
	fesetround(FE_TONEAREST);

	printf("-- conversions --\n");
	volatile double d = 3.99, nd = -3.99, h = 3.5, huge = 1e10, neg = -1.0, nan = NAN;
	volatile int64_t i64 = INT64_MAX;
	volatile float f = 16777217.0f;
	printf("(int)3.99 = %d, (int)-3.99 = %d, round(3.5) = %g\n", (int)d, (int)nd, round(h));
	printf("(float)16777217 = %.1f (24-bit significand)\n", (double)f);
	printf("(double)INT64_MAX = %.1f\n", (double)i64);
	printf("(int)1e10 = %d, (int)-1e10 = %d\n", (int)huge, (int)-huge);
	printf("(unsigned)-1.0 = %u, (int)NaN = %d, (long)NaN = %ld\n", (unsigned)neg, (int)nan, (long)nan);
	printf("(long)1e19 = %ld, (unsigned long)1e19 = %lu\n", (long)(huge * 1e9), (unsigned long)(huge * 1e9));

	printf("-- exception flags --\n");
	volatile double r;
	feclearexcept(FE_ALL_EXCEPT);
	print_flags("after feclearexcept");
	r = one + one;
	print_flags("1 + 1");
	r = one / three;
	print_flags("1 / 3");
	feclearexcept(FE_ALL_EXCEPT);
	r = one / zero;
	print_flags("1 / 0");
	feclearexcept(FE_ALL_EXCEPT);
	r = zero / zero;
	print_flags("0 / 0");
	feclearexcept(FE_ALL_EXCEPT);
	r = big * 10;
	print_flags("1e308 * 10");
	feclearexcept(FE_ALL_EXCEPT);
	r = tiny / 3;
	print_flags("DBL_MIN / 3");
	feclearexcept(FE_ALL_EXCEPT);
	r = sqrt(-one);
	print_flags("sqrt(-1)");
	feclearexcept(FE_ALL_EXCEPT);
	r = (int)huge;
	print_flags("(int)1e10");
	feclearexcept(FE_ALL_EXCEPT);
	r = (int)d;
	print_flags("(int)3.99");
	(void)r;
	return 0;
}
