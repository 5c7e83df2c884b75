// Element types that RunStore stores, with their HDF5 in-memory and on-disk datatypes.
// On disk everything is little-endian IEEE / two's complement, whatever the host.

import CHDF5

/// A Swift scalar that maps to one HDF5 numeric datatype.
protocol H5Scalar {
    /// The in-memory (native) HDF5 type of this Swift type.
    static var memoryType: hid_t { get }
    /// The on-disk type used when creating datasets and attributes of this type.
    static var fileType: hid_t { get }
    /// A zero value, to size buffers.
    static var zero: Self { get }
}

extension Float: H5Scalar {
    static var memoryType: hid_t { curv_h5_native_float() }
    static var fileType: hid_t { curv_h5_ieee_f32le() }
}

extension Double: H5Scalar {
    static var memoryType: hid_t { curv_h5_native_double() }
    static var fileType: hid_t { curv_h5_ieee_f64le() }
}

extension Int64: H5Scalar {
    static var memoryType: hid_t { curv_h5_native_int64() }
    static var fileType: hid_t { curv_h5_std_i64le() }
}

extension UInt8: H5Scalar {
    static var memoryType: hid_t { curv_h5_native_uint8() }
    static var fileType: hid_t { curv_h5_std_u8le() }
}

/// The floating-point element types a run file stores tensors in.
public enum StoredDType: String, Sendable, CaseIterable {
    case float32 = "f32"
    case float64 = "f64"
}

/// A floating-point type whose arrays can be stored in a run file: `Float` (stored as
/// little-endian IEEE binary32) or `Double` (binary64).
public protocol StoredFloat: BinaryFloatingPoint, Sendable {
    /// The on-disk element type arrays of this type are written as.
    static var storedDType: StoredDType { get }
}

extension Float: StoredFloat {
    public static var storedDType: StoredDType { .float32 }
}

extension Double: StoredFloat {
    public static var storedDType: StoredDType { .float64 }
}

extension StoredDType {
    var memoryType: hid_t { self == .float32 ? curv_h5_native_float() : curv_h5_native_double() }
    var fileType: hid_t { self == .float32 ? curv_h5_ieee_f32le() : curv_h5_ieee_f64le() }
    var byteCount: Int { self == .float32 ? 4 : 8 }
}

/// A new variable-length UTF-8 string datatype (h5py reads these as `str`). Caller owns it.
func makeUTF8StringType() -> H5Handle {
    let type = H5Tcopy(curv_h5_c_s1())
    _ = H5Tset_size(type, curv_h5_variable())
    _ = H5Tset_cset(type, curv_h5_cset_utf8())
    _ = H5Tset_strpad(type, curv_h5_str_nullterm())
    return .datatype(type)
}

/// A variable-length string memory type with the character set of `stored`: HDF5 converts
/// between variable-length strings only when the character sets match (ASCII strings written
/// by other tools must be read as ASCII; the bytes are the same).
func variableStringType(matching stored: hid_t) -> H5Handle {
    let type = makeUTF8StringType()
    _ = H5Tset_cset(type.id, H5Tget_cset(stored))
    return type
}
