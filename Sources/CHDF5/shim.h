// HDF5 (serial, 1.10.x). Macros that Swift cannot import are re-exported below as inline functions.
//
// Why: most HDF5 "constants" are macros that call H5open() or cast (H5T_NATIVE_DOUBLE expands to
// `(H5OPEN H5T_NATIVE_DOUBLE_g)`), so the Swift importer drops them. Each function here returns the
// macro's value, so Swift code writes `curv_h5_native_double()` where C writes `H5T_NATIVE_DOUBLE`.
// Calling one also initialises the library, exactly as the macro does in C.
//
// Naming: `curv_h5_` + the macro name in lower case, with the family prefix dropped where the rest
// is unambiguous (H5T_NATIVE_DOUBLE -> curv_h5_native_double, H5F_ACC_RDONLY -> curv_h5_acc_rdonly)
// and kept as a word where it is not (H5P_DATASET_CREATE -> curv_h5_plist_dataset_create,
// H5P_DEFAULT -> curv_h5_p_default, H5S_ALL -> curv_h5_s_all).
//
// Only this module's Swift wrapper (RunStore) should call these; nothing here is a stable API.
#ifndef CURVATURE_CHDF5_SHIM_H
#define CURVATURE_CHDF5_SHIM_H

#include <hdf5.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

// MARK: Native (in-memory) datatypes: what Swift's Float, Double, Int8 ... look like in memory.

static inline hid_t curv_h5_native_float(void)  { return H5T_NATIVE_FLOAT; }
static inline hid_t curv_h5_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t curv_h5_native_int8(void)   { return H5T_NATIVE_INT8; }
static inline hid_t curv_h5_native_uint8(void)  { return H5T_NATIVE_UINT8; }
static inline hid_t curv_h5_native_int32(void)  { return H5T_NATIVE_INT32; }
static inline hid_t curv_h5_native_uint32(void) { return H5T_NATIVE_UINT32; }
static inline hid_t curv_h5_native_int64(void)  { return H5T_NATIVE_INT64; }
static inline hid_t curv_h5_native_uint64(void) { return H5T_NATIVE_UINT64; }

// MARK: File (on-disk) datatypes: fixed little-endian layouts, so files read the same everywhere.

static inline hid_t curv_h5_ieee_f32le(void) { return H5T_IEEE_F32LE; }
static inline hid_t curv_h5_ieee_f64le(void) { return H5T_IEEE_F64LE; }
static inline hid_t curv_h5_std_u8le(void)   { return H5T_STD_U8LE; }
static inline hid_t curv_h5_std_i32le(void)  { return H5T_STD_I32LE; }
static inline hid_t curv_h5_std_i64le(void)  { return H5T_STD_I64LE; }

// MARK: Strings. H5T_C_S1 is the base to H5Tcopy before setting size, character set and padding.
// A variable-length UTF-8 string type is: copy c_s1, size = variable(), cset = cset_utf8(),
// strpad = str_nullterm(). h5py reads such attributes and datasets as `str`.

static inline hid_t      curv_h5_c_s1(void)         { return H5T_C_S1; }
static inline size_t     curv_h5_variable(void)     { return H5T_VARIABLE; }   // == SIZE_MAX
static inline H5T_cset_t curv_h5_cset_utf8(void)    { return H5T_CSET_UTF8; }
static inline H5T_str_t  curv_h5_str_nullterm(void) { return H5T_STR_NULLTERM; }

// MARK: Property-list classes, the first argument of H5Pcreate.

static inline hid_t curv_h5_plist_file_create(void)      { return H5P_FILE_CREATE; }
static inline hid_t curv_h5_plist_file_access(void)      { return H5P_FILE_ACCESS; }
static inline hid_t curv_h5_plist_dataset_create(void)   { return H5P_DATASET_CREATE; }
static inline hid_t curv_h5_plist_dataset_access(void)   { return H5P_DATASET_ACCESS; }
static inline hid_t curv_h5_plist_dataset_xfer(void)     { return H5P_DATASET_XFER; }
static inline hid_t curv_h5_plist_group_create(void)     { return H5P_GROUP_CREATE; }
static inline hid_t curv_h5_plist_link_create(void)      { return H5P_LINK_CREATE; }
static inline hid_t curv_h5_plist_attribute_create(void) { return H5P_ATTRIBUTE_CREATE; }

// MARK: File access flags for H5Fcreate / H5Fopen (combine with `|`).
// SWMR: the writer opens with acc_rdwr() | acc_swmr_write() (or calls H5Fstart_swmr_write) on a
// file whose libver bounds are at least V110; readers open with acc_rdonly() | acc_swmr_read().
// (H5F_ACC_DEBUG is deprecated and equals 0; it is left out.)

static inline unsigned curv_h5_acc_rdonly(void)     { return H5F_ACC_RDONLY; }
static inline unsigned curv_h5_acc_rdwr(void)       { return H5F_ACC_RDWR; }
static inline unsigned curv_h5_acc_trunc(void)      { return H5F_ACC_TRUNC; }
static inline unsigned curv_h5_acc_excl(void)       { return H5F_ACC_EXCL; }
static inline unsigned curv_h5_acc_creat(void)      { return H5F_ACC_CREAT; }
static inline unsigned curv_h5_acc_swmr_write(void) { return H5F_ACC_SWMR_WRITE; }
static inline unsigned curv_h5_acc_swmr_read(void)  { return H5F_ACC_SWMR_READ; }
static inline unsigned curv_h5_acc_default(void)    { return H5F_ACC_DEFAULT; }

// MARK: Library-version bounds for H5Pset_libver_bounds. V110 is the newest format 1.10 knows
// (H5F_LIBVER_LATEST is a macro alias of it) and the minimum for SWMR.

static inline H5F_libver_t curv_h5_libver_earliest(void) { return H5F_LIBVER_EARLIEST; }
static inline H5F_libver_t curv_h5_libver_v110(void)     { return H5F_LIBVER_V110; }

// MARK: Special identifiers and sizes.
// H5P_DEFAULT imports into Swift as Int32 and H5S_ALL not at all; these return them as hid_t.

static inline hid_t   curv_h5_p_default(void)   { return (hid_t)H5P_DEFAULT; }
static inline hid_t   curv_h5_s_all(void)       { return (hid_t)H5S_ALL; }
static inline hid_t   curv_h5_e_default(void)   { return (hid_t)H5E_DEFAULT; }
static inline hsize_t curv_h5_s_unlimited(void) { return H5S_UNLIMITED; }   // == UINT64_MAX

// MARK: Errors. The Swift side reports errors itself, so HDF5's automatic printing to stderr is
// switched off and the message is fetched from the error stack instead.
//
// Note: this library is a thread-safe build, where the error stack and its automatic-printing
// setting belong to the calling thread. Silence every thread that calls HDF5 (the call is cheap).

/// Turns off HDF5's automatic printing of the error stack on the calling thread.
/// Returns a negative value on failure.
static inline herr_t curv_h5_silence_errors(void) {
    return H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

/// State for `curv_h5_innermost_error`'s walk callback.
typedef struct curv_h5_error_sink {
    char *buffer;
    size_t capacity;
    int length;     // full length of the copied text
    int found;      // 1 once the innermost record was seen
    hid_t minor;    // its minor error id, for when it has no description
} curv_h5_error_sink;

static inline void curv_h5_copy_text_(curv_h5_error_sink *sink, const char *text) {
    size_t len = strlen(text);
    if (sink->capacity > 0) {
        size_t copied = (len < sink->capacity - 1) ? len : sink->capacity - 1;
        memcpy(sink->buffer, text, copied);
        sink->buffer[copied] = '\0';
    }
    sink->length = (int)len;
}

static inline herr_t curv_h5_copy_innermost_(unsigned n, const H5E_error2_t *err, void *data) {
    curv_h5_error_sink *sink = (curv_h5_error_sink *)data;
    if (n != 0 || err == NULL) return 0;   // walking upward, record 0 is the innermost one
    sink->found = 1;
    sink->minor = err->min_num;
    curv_h5_copy_text_(sink, (err->desc != NULL) ? err->desc : "");
    return 1;                              // a positive value stops the walk without error
}

/// Copies the description of the innermost (most specific) record of the calling thread's
/// default error stack into `buffer`, NUL-terminated and truncated to `capacity - 1` bytes.
/// When that record has no description, its minor error message is used instead.
/// Returns the full length of the message (as snprintf does; compare with `capacity` to detect
/// truncation), 0 when the stack is empty, or -1 when the stack could not be walked.
/// Call it right after the failing call: the next HDF5 API call clears the stack.
static inline int curv_h5_innermost_error(char *buffer, size_t capacity) {
    curv_h5_error_sink sink = { buffer, (buffer != NULL) ? capacity : 0, 0, 0, -1 };
    if (sink.capacity > 0) buffer[0] = '\0';
    if (H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, curv_h5_copy_innermost_, &sink) < 0) return -1;
    if (sink.found && sink.length == 0) {
        // Outside the walk on purpose: H5Eget_msg is an API call and clears the stack.
        char minor[256];
        if (H5Eget_msg(sink.minor, NULL, minor, sizeof minor) > 0) curv_h5_copy_text_(&sink, minor);
    }
    return sink.length;
}

// MARK: Dimension scales (the HDF5 Dimension Scale Specification, written without libhdf5_hl).
// xarray (h5netcdf), netCDF and h5py's `dims` read a dataset's dimension from its DIMENSION_LIST
// attribute, which references the scale dataset; the scale is a dataset whose CLASS attribute is
// "DIMENSION_SCALE" (a fixed-length, NUL-terminated ASCII string, as H5DSset_scale writes it).

/// A scalar attribute `name` = `value` as a fixed-length NUL-terminated ASCII string.
static inline herr_t curv_h5_write_fixed_string_attribute_(hid_t object, const char *name, const char *value) {
    herr_t status = -1;
    hid_t type = H5Tcopy(H5T_C_S1), space = H5Screate(H5S_SCALAR), attribute = -1;
    if (type < 0 || space < 0) goto done;
    if (H5Tset_size(type, strlen(value) + 1) < 0 || H5Tset_strpad(type, H5T_STR_NULLTERM) < 0) goto done;
    attribute = H5Acreate2(object, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    if (attribute < 0) goto done;
    status = H5Awrite(attribute, type, value);
done:
    if (attribute >= 0) H5Aclose(attribute);
    if (space >= 0) H5Sclose(space);
    if (type >= 0) H5Tclose(type);
    return status;
}

/// Makes `dataset` a dimension scale called `name` (attributes CLASS and NAME, as H5DSset_scale).
static inline herr_t curv_h5_make_dimension_scale(hid_t dataset, const char *name) {
    if (curv_h5_write_fixed_string_attribute_(dataset, "CLASS", "DIMENSION_SCALE") < 0) return -1;
    return curv_h5_write_fixed_string_attribute_(dataset, "NAME", name);
}

/// Writes the DIMENSION_LIST attribute of the one-dimensional `dataset`: its dimension is the
/// scale at `scale_path` (relative to `location`). Only the dataset's side is written, not the
/// scale's REFERENCE_LIST back-pointers (H5DSattach_scale writes both): updating those would
/// rewrite an object already on disk, which the run file's crash safety forbids. Readers of
/// dimensions (H5DSiterate_scales, h5py, h5netcdf) follow DIMENSION_LIST.
static inline herr_t curv_h5_attach_dimension_scale(hid_t dataset, hid_t location, const char *scale_path) {
    herr_t status = -1;
    hobj_ref_t reference;
    if (H5Rcreate(&reference, location, scale_path, H5R_OBJECT, -1) < 0) return -1;
    hvl_t list = { 1, &reference };
    hsize_t rank[1] = { 1 };
    hid_t type = H5Tvlen_create(H5T_STD_REF_OBJ), space = H5Screate_simple(1, rank, NULL), attribute = -1;
    if (type < 0 || space < 0) goto done;
    attribute = H5Acreate2(dataset, "DIMENSION_LIST", type, space, H5P_DEFAULT, H5P_DEFAULT);
    if (attribute < 0) goto done;
    status = H5Awrite(attribute, type, &list);
done:
    if (attribute >= 0) H5Aclose(attribute);
    if (space >= 0) H5Sclose(space);
    if (type >= 0) H5Tclose(type);
    return status;
}

/// The paths of the objects a vlen-of-object-references attribute (a DIMENSION_LIST) names, one
/// per element (its first reference), written NUL-separated into `buffer` (truncated to
/// `capacity`). Returns the number of elements, or -1 when `attribute` is not such a list.
static inline int curv_h5_reference_list_paths(hid_t attribute, char *buffer, size_t capacity) {
    int count = -1;
    hid_t type = H5Aget_type(attribute), space = H5Aget_space(attribute), base = -1;
    hvl_t *lists = NULL;
    if (type < 0 || space < 0 || H5Tget_class(type) != H5T_VLEN) goto done;
    base = H5Tget_super(type);
    if (base < 0 || H5Tequal(base, H5T_STD_REF_OBJ) <= 0) goto done;
    hssize_t n = H5Sget_simple_extent_npoints(space);
    if (n < 0 || n > 64) goto done;
    lists = (hvl_t *)calloc((size_t)(n > 0 ? n : 1), sizeof(hvl_t));
    if (lists == NULL || H5Aread(attribute, type, lists) < 0) goto done;
    size_t used = 0;
    if (capacity > 0) buffer[0] = '\0';
    for (hssize_t i = 0; i < n; i++) {
        char name[1024] = "";
        if (lists[i].len > 0 && lists[i].p != NULL) {
            if (H5Rget_name(attribute, H5R_OBJECT, lists[i].p, name, sizeof name) < 0) name[0] = '\0';
        }
        size_t length = strlen(name);
        if (used + length + 1 <= capacity) { memcpy(buffer + used, name, length + 1); used += length + 1; }
    }
    count = (int)n;
    H5Dvlen_reclaim(type, space, H5P_DEFAULT, lists);
done:
    free(lists);
    if (base >= 0) H5Tclose(base);
    if (space >= 0) H5Sclose(space);
    if (type >= 0) H5Tclose(type);
    return count;
}

#endif // CURVATURE_CHDF5_SHIM_H
