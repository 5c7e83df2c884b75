// zlib, for reading gzip-compressed data files (MNIST/Fashion-MNIST ship as .gz).
// inflateInit2 is a macro upstream; the inline function below gives Swift a callable form.
#include <zlib.h>
static inline int curv_inflate_init_gzip(z_stream *stream) {
    return inflateInit2(stream, 16 + MAX_WBITS);
}
// Raw deflate (no header), as zip archives (NumPy's .npz) store it.
static inline int curv_inflate_init_raw(z_stream *stream) {
    return inflateInit2(stream, -MAX_WBITS);
}
