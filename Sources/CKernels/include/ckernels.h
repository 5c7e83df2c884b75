#ifndef CKERNELS_H
#define CKERNELS_H
// Vectorised transcendental functions over arrays, from glibc's libmvec (SIMD variants of libm's
// functions, within 4 ulp of the correctly rounded result). The AVX2 variants are used when the
// processor has AVX2, the SSE variants otherwise; the tail of each array goes through scalar libm.
// y and x may be the same array. n is the element count.

void ck_tanh_f32(const float *x, float *y, long n);
void ck_tanh_f64(const double *x, double *y, long n);
void ck_exp_f32(const float *x, float *y, long n);
void ck_exp_f64(const double *x, double *y, long n);
void ck_erf_f32(const float *x, float *y, long n);
void ck_erf_f64(const double *x, double *y, long n);

#endif
