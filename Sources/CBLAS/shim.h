// CBLAS from OpenBLAS. Row-major GEMM, dot, axpy and thread control are what Tensor uses.
#include <cblas.h>
