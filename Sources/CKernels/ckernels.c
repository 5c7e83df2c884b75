// Array forms of tanh, exp and erf over glibc's libmvec. Each public function picks the AVX2 variant
// (8 floats or 4 doubles per call) when the processor has AVX2, else the SSE variant (4 or 2).
#include "ckernels.h"
#include <immintrin.h>
#include <math.h>

// libmvec entry points (Intel vector function ABI names: b = SSE, d = AVX2; N = lanes; v = vector arg).
#define DECLARE_MVEC(name, cname)                                        \
    __m128 _ZGVbN4v_##name##f(__m128);                                  \
    __m128d _ZGVbN2v_##name(__m128d);                                   \
    __attribute__((target("avx2"))) __m256 _ZGVdN8v_##name##f(__m256);  \
    __attribute__((target("avx2"))) __m256d _ZGVdN4v_##name(__m256d);
DECLARE_MVEC(tanh, tanh)
DECLARE_MVEC(exp, exp)
DECLARE_MVEC(erf, erf)

static int has_avx2(void) {
    static int cached = -1;
    if (cached < 0) {
        __builtin_cpu_init();
        cached = __builtin_cpu_supports("avx2") ? 1 : 0;
    }
    return cached;
}

#define DEFINE_ARRAY_FN(name)                                                          \
    __attribute__((target("avx2"))) static long name##_f32_avx2(const float *x, float *y, long n) { \
        long i = 0;                                                                    \
        for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _ZGVdN8v_##name##f(_mm256_loadu_ps(x + i))); \
        return i;                                                                      \
    }                                                                                  \
    __attribute__((target("avx2"))) static long name##_f64_avx2(const double *x, double *y, long n) { \
        long i = 0;                                                                    \
        for (; i + 4 <= n; i += 4) _mm256_storeu_pd(y + i, _ZGVdN4v_##name(_mm256_loadu_pd(x + i))); \
        return i;                                                                      \
    }                                                                                  \
    void ck_##name##_f32(const float *x, float *y, long n) {                           \
        long i = 0;                                                                    \
        if (has_avx2()) i = name##_f32_avx2(x, y, n);                                  \
        else for (; i + 4 <= n; i += 4) _mm_storeu_ps(y + i, _ZGVbN4v_##name##f(_mm_loadu_ps(x + i))); \
        for (; i < n; i++) y[i] = name##f(x[i]);                                       \
    }                                                                                  \
    void ck_##name##_f64(const double *x, double *y, long n) {                         \
        long i = 0;                                                                    \
        if (has_avx2()) i = name##_f64_avx2(x, y, n);                                  \
        else for (; i + 2 <= n; i += 2) _mm_storeu_pd(y + i, _ZGVbN2v_##name(_mm_loadu_pd(x + i))); \
        for (; i < n; i++) y[i] = name(x[i]);                                          \
    }

DEFINE_ARRAY_FN(tanh)
DEFINE_ARRAY_FN(exp)
DEFINE_ARRAY_FN(erf)
