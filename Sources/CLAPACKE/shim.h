// LAPACKE (Debian's reference LAPACKE over OpenBLAS's LAPACK). lapack_int is a macro upstream:
// the typedef below gives Swift a type name for it.
#include <lapacke.h>
typedef lapack_int curv_lapack_int;
