// Attributes on groups and datasets: scalar strings (variable-length UTF-8), scalar Int64 and
// Float64, and 1-D Float64 / Int64 arrays. Setting an existing attribute replaces it.

import CHDF5
import Foundation

extension H5Object {
    /// Whether the object has an attribute `name`.
    func hasAttribute(_ name: String) -> Bool {
        H5Aexists(handle.id, name) > 0
    }

    /// Names of all attributes, in name order.
    func attributeNames() throws -> [String] {
        var info = H5O_info_t()
        try location.check(H5Oget_info2(handle.id, &info, UInt32(H5O_INFO_NUM_ATTRS)), "H5Oget_info2",
                           "cannot count the attributes")
        return try (0..<info.num_attrs).map { index in
            let length = H5Aget_name_by_idx(handle.id, ".", H5_INDEX_NAME, H5_ITER_INC, index, nil, 0, H5.defaultPlist)
            guard length >= 0 else { throw location.failure("H5Aget_name_by_idx", "cannot read an attribute name") }
            var buffer = [CChar](repeating: 0, count: Int(length) + 1)
            _ = H5Aget_name_by_idx(handle.id, ".", H5_INDEX_NAME, H5_ITER_INC, index, &buffer, buffer.count, H5.defaultPlist)
            return String(cString: buffer)
        }
    }

    // MARK: Writing

    func setAttribute(_ name: String, _ value: String) throws {
        let type = makeUTF8StringType()
        let cString = strdup(value)
        defer { free(cString) }
        var pointer: UnsafePointer<CChar>? = UnsafePointer(cString)
        try writeAttribute(name, fileType: type.id, memoryType: type.id, shape: nil) { attribute in
            withUnsafeMutablePointer(to: &pointer) { H5Awrite(attribute, type.id, $0) }
        }
    }

    func setAttribute(_ name: String, _ value: Int64) throws {
        var value = value
        try writeAttribute(name, fileType: Int64.fileType, memoryType: Int64.memoryType, shape: nil) {
            H5Awrite($0, Int64.memoryType, &value)
        }
    }

    func setAttribute(_ name: String, _ value: Int) throws { try setAttribute(name, Int64(value)) }

    func setAttribute(_ name: String, _ value: Double) throws {
        var value = value
        try writeAttribute(name, fileType: Double.fileType, memoryType: Double.memoryType, shape: nil) {
            H5Awrite($0, Double.memoryType, &value)
        }
    }

    func setAttribute<T: H5Scalar>(_ name: String, array: [T]) throws {
        try writeAttribute(name, fileType: T.fileType, memoryType: T.memoryType, shape: [array.count]) { attribute in
            array.withUnsafeBytes { H5Awrite(attribute, T.memoryType, $0.baseAddress) }
        }
    }

    private func writeAttribute(_ name: String, fileType: hid_t, memoryType: hid_t, shape: [Int]?,
                                _ write: (hid_t) -> herr_t) throws {
        let where_ = H5Location(file: location.file, object: location.object + "@" + name)
        if hasAttribute(name) {
            try where_.check(H5Adelete(handle.id, name), "H5Adelete", "cannot replace the attribute")
        }
        let space: H5Handle
        if let shape {
            var dims = shape.map { hsize_t($0) }
            space = .dataspace(H5Screate_simple(Int32(dims.count), &dims, nil))
        } else {
            space = .dataspace(H5Screate(H5S_SCALAR))
        }
        let id = try where_.checkID(H5Acreate2(handle.id, name, fileType, space.id, H5.defaultPlist, H5.defaultPlist),
                                    "H5Acreate2", "cannot create the attribute")
        let attribute = H5Handle(id, closer: H5Aclose)
        try where_.check(write(attribute.id), "H5Awrite", "cannot write the attribute")
    }

    // MARK: Reading

    /// Opens attribute `name`, or throws a schema error naming it.
    private func openAttribute(_ name: String) throws -> (H5Handle, H5Location) {
        let where_ = H5Location(file: location.file, object: location.object + "@" + name)
        guard hasAttribute(name) else { throw where_.malformed("the attribute is missing") }
        let id = try where_.checkID(H5Aopen(handle.id, name, H5.defaultPlist), "H5Aopen", "cannot open the attribute")
        return (H5Handle(id, closer: H5Aclose), where_)
    }

    /// Number of elements of an open attribute (1 for a scalar).
    private func attributeCount(_ attribute: H5Handle) -> Int {
        let space = H5Handle.dataspace(H5Aget_space(attribute.id))
        return Int(max(0, H5Sget_simple_extent_npoints(space.id)))
    }

    /// The one string of a string attribute (scalar, or of one element); any other count is malformed.
    func stringAttribute(_ name: String) throws -> String {
        let values = try stringAttributeValues(name)
        guard values.count == 1 else {
            throw H5Location(file: location.file, object: location.object + "@" + name)
                .malformed("expected one string, the attribute holds \(values.count)")
        }
        return values[0]
    }

    /// Every string of a string attribute of any shape, variable- or fixed-length, row-major. The
    /// buffer HDF5 fills holds as many elements as the attribute's dataspace.
    func stringAttributeValues(_ name: String) throws -> [String] {
        let (attribute, where_) = try openAttribute(name)
        let stored = H5Handle.datatype(H5Aget_type(attribute.id))
        guard H5Tget_class(stored.id) == H5T_STRING else { throw where_.malformed("expected a string attribute") }
        let count = attributeCount(attribute)
        guard count > 0 else { return [] }
        if H5Tis_variable_str(stored.id) > 0 {
            let memory = variableStringType(matching: stored.id)
            var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
            let status = pointers.withUnsafeMutableBytes { H5Aread(attribute.id, memory.id, $0.baseAddress) }
            try where_.check(status, "H5Aread", "cannot read the attribute")
            let space = H5Handle.dataspace(H5Aget_space(attribute.id))
            return takeStrings(&pointers, type: memory.id, space: space.id)
        }
        let size = H5Tget_size(stored.id)
        var bytes = [UInt8](repeating: 0, count: count * size)
        let status = bytes.withUnsafeMutableBytes { H5Aread(attribute.id, stored.id, $0.baseAddress) }
        try where_.check(status, "H5Aread", "cannot read the attribute")
        return splitFixed(bytes, count: count, size: size)
    }

    /// Reads a numeric attribute (scalar or 1-D) converted to `T`.
    func numericAttribute<T: H5Scalar>(_ name: String, as type: T.Type = T.self) throws -> [T] {
        let (attribute, where_) = try openAttribute(name)
        let stored = H5Handle.datatype(H5Aget_type(attribute.id))
        let typeClass = H5Tget_class(stored.id)
        guard typeClass == H5T_INTEGER || typeClass == H5T_FLOAT else { throw where_.malformed("expected a number") }
        var values = [T](repeating: T.zero, count: attributeCount(attribute))
        let status = values.withUnsafeMutableBytes { H5Aread(attribute.id, T.memoryType, $0.baseAddress) }
        try where_.check(status, "H5Aread", "cannot read the attribute")
        return values
    }

    func intAttribute(_ name: String) throws -> Int64 {
        guard let value = try numericAttribute(name, as: Int64.self).first else {
            throw H5Location(file: location.file, object: location.object + "@" + name).malformed("empty attribute")
        }
        return value
    }

    func doubleAttribute(_ name: String) throws -> Double {
        guard let value = try numericAttribute(name, as: Double.self).first else {
            throw H5Location(file: location.file, object: location.object + "@" + name).malformed("empty attribute")
        }
        return value
    }
}

// MARK: Dimension scales

extension H5Dataset {
    /// Makes this dataset a dimension scale called `name` (xarray and netCDF then use it as a
    /// coordinate): the attributes CLASS = "DIMENSION_SCALE" and NAME.
    func makeDimensionScale(named name: String) throws {
        try location.check(curv_h5_make_dimension_scale(handle.id, name), "H5Acreate2", "cannot mark the dataset as the dimension scale '\(name)'")
    }

    /// Names the one-dimensional dataset's dimension: the scale `path` in `group` (its
    /// DIMENSION_LIST attribute; see curv_h5_attach_dimension_scale for what is not written).
    func attachDimensionScale(_ path: String, in group: H5Group) throws {
        try location.check(curv_h5_attach_dimension_scale(handle.id, group.handle.id, path), "H5Acreate2",
                           "cannot attach the dimension scale '\(path)'")
    }
}
