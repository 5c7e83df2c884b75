// HDF5 groups: create, open, list members, and create or open datasets inside them.

import CHDF5

/// An HDF5 object that can carry attributes (a group or a dataset).
protocol H5Object: AnyObject {
    var handle: H5Handle { get }
    var location: H5Location { get }
}

final class H5Group: H5Object {
    let handle: H5Handle
    let location: H5Location

    private init(handle: H5Handle, location: H5Location) {
        self.handle = handle
        self.location = location
    }

    /// Opens group `name` (a link name or "/" for the root) below `parent`.
    static func open(in file: H5File, parent: hid_t, name: String, location: H5Location) throws -> H5Group {
        let id = try location.checkID(H5Gopen2(parent, name, H5.defaultPlist), "H5Gopen2", "cannot open the group")
        return H5Group(handle: H5Handle(id, closer: H5Gclose), location: location)
    }

    /// Whether this group has a member (group, dataset or link) called `name` (one path component).
    func contains(_ name: String) -> Bool {
        H5Lexists(handle.id, name, H5.defaultPlist) > 0
    }

    /// The child group `name`.
    func group(_ name: String) throws -> H5Group {
        let child = location.child(name)
        guard contains(name) else { throw child.malformed("the group is missing") }
        let id = try child.checkID(H5Gopen2(handle.id, name, H5.defaultPlist), "H5Gopen2", "cannot open the group")
        return H5Group(handle: H5Handle(id, closer: H5Gclose), location: child)
    }

    /// The child group `name`, created when missing.
    func groupCreatingIfNeeded(_ name: String) throws -> H5Group {
        if contains(name) { return try group(name) }
        return try createGroup(name)
    }

    /// Creates the child group `name`; fails when it exists. A `growing` group (one that gains
    /// members record after record: metrics, checkpoints, spectra, analyses) reserves room for
    /// thousands of member names; others room for a few.
    func createGroup(_ name: String, growing: Bool = false) throws -> H5Group {
        let child = location.child(name)
        // A name heap sized up front, so adding members never moves it (a moved heap is a new
        // block plus a rewritten header: two writes a kill can separate, detaching old members).
        let gcpl = H5Handle.plist(H5Pcreate(curv_h5_plist_group_create()))
        try child.check(H5Pset_local_heap_size_hint(gcpl.id, growing ? 64 * 1024 : 512), "H5Pset_local_heap_size_hint",
                        "cannot configure the group")
        let id = try child.checkID(H5Gcreate2(handle.id, name, H5.defaultPlist, gcpl.id, H5.defaultPlist),
                                   "H5Gcreate2", "cannot create the group")
        return H5Group(handle: H5Handle(id, closer: H5Gclose), location: child)
    }

    /// Creates a group that no link reaches yet ("anonymous"): a record is built inside it,
    /// flushed, and only then linked under its name with `link(_:as:)`, so a reader never finds a
    /// name that leads to a half-written record. `location` names where it will be linked (for
    /// error messages). Released unlinked, HDF5 deletes it.
    static func createAnonymous(in file: H5File, location: H5Location, growing: Bool = false) throws -> H5Group {
        let gcpl = H5Handle.plist(H5Pcreate(curv_h5_plist_group_create()))
        try location.check(H5Pset_local_heap_size_hint(gcpl.id, growing ? 64 * 1024 : 512), "H5Pset_local_heap_size_hint",
                           "cannot configure the group")
        let id = try location.checkID(H5Gcreate_anon(file.handle.id, gcpl.id, H5.defaultPlist), "H5Gcreate_anon",
                                      "cannot create the group")
        return H5Group(handle: H5Handle(id, closer: H5Gclose), location: location)
    }

    /// Links `object` (created anonymous) into this group as `name`.
    func link(_ object: H5Object, as name: String) throws {
        let child = location.child(name)
        try child.check(H5Olink(object.handle.id, handle.id, name, H5.defaultPlist, H5.defaultPlist), "H5Olink",
                        "cannot link the record under its name")
    }

    /// Whether member `name` can be opened as an object (a link whose target a killed writer
    /// never finished writing cannot).
    func opens(_ name: String) -> Bool {
        guard contains(name) else { return false }
        let id = H5Oopen(handle.id, name, H5.defaultPlist)
        guard id >= 0 else { return false }
        H5Oclose(id)
        return true
    }

    /// The object's address in the file: equal for two paths to one object (hard or soft links).
    func address() throws -> UInt64 {
        var info = H5O_info_t()
        try location.check(H5Oget_info2(handle.id, &info, UInt32(H5O_INFO_BASIC)), "H5Oget_info2", "cannot identify the group")
        return UInt64(info.addr)
    }

    /// Names of the members, in HDF5's name order (byte-wise ascending).
    func memberNames() throws -> [String] {
        var info = H5G_info_t()
        try location.check(H5Gget_info(handle.id, &info), "H5Gget_info", "cannot list the group")
        var names: [String] = []
        names.reserveCapacity(Int(info.nlinks))
        for index in 0..<info.nlinks {
            let length = H5Lget_name_by_idx(handle.id, ".", H5_INDEX_NAME, H5_ITER_INC, index, nil, 0, H5.defaultPlist)
            guard length >= 0 else { throw location.failure("H5Lget_name_by_idx", "cannot read a member name") }
            var buffer = [CChar](repeating: 0, count: Int(length) + 1)
            _ = H5Lget_name_by_idx(handle.id, ".", H5_INDEX_NAME, H5_ITER_INC, index, &buffer, buffer.count, H5.defaultPlist)
            names.append(String(cString: buffer))
        }
        return names
    }

    /// Whether member `name` is a group (false for datasets, missing or unopenable members).
    func isGroup(_ name: String) -> Bool {
        guard contains(name) else { return false }
        let id = H5Oopen(handle.id, name, H5.defaultPlist)
        guard id >= 0 else { return false }
        defer { H5Oclose(id) }
        return H5Iget_type(id) == H5I_GROUP
    }

    /// Opens the dataset `name`.
    func dataset(_ name: String) throws -> H5Dataset {
        let child = location.child(name)
        guard contains(name) else { throw child.malformed("the dataset is missing") }
        let id = try child.checkID(H5Dopen2(handle.id, name, H5.defaultPlist), "H5Dopen2", "cannot open the dataset")
        return H5Dataset(handle: H5Handle(id, closer: H5Dclose), location: child)
    }

    /// Creates dataset `name` with on-disk type `fileType` and the given shape and layout; with
    /// `anonymous`, no link reaches it yet (link it later with `link(_:as:)`).
    func createDataset(_ name: String, fileType: hid_t, shape: [Int], options: H5DatasetOptions = .init(),
                       anonymous: Bool = false) throws -> H5Dataset {
        let child = location.child(name)
        let space: H5Handle
        if shape.isEmpty {
            space = .dataspace(H5Screate(H5S_SCALAR))
        } else {
            let dims = shape.map { hsize_t($0) }
            let maxDims: [hsize_t] = options.extendible ? dims.map { _ in curv_h5_s_unlimited() } : dims
            space = .dataspace(H5Screate_simple(Int32(dims.count), dims, maxDims))
        }
        guard space.id >= 0 else { throw child.failure("H5Screate_simple", "cannot describe the dataset's shape \(shape)") }
        let dcpl = try options.creationList(shape: shape, fileType: fileType, location: child)
        let id = anonymous
            ? try child.checkID(H5Dcreate_anon(handle.id, fileType, space.id, dcpl.id, H5.defaultPlist),
                                "H5Dcreate_anon", "cannot create the dataset")
            : try child.checkID(H5Dcreate2(handle.id, name, fileType, space.id, H5.defaultPlist, dcpl.id, H5.defaultPlist),
                                "H5Dcreate2", "cannot create the dataset")
        return H5Dataset(handle: H5Handle(id, closer: H5Dclose), location: child)
    }
}

/// Renaming a link inside one group.
enum H5LinkMove {
    static func move(_ group: H5Group, _ from: String, _ to: String) -> herr_t {
        H5Lmove(group.handle.id, from, group.handle.id, to, H5.defaultPlist, H5.defaultPlist)
    }
}

extension H5Group {
    /// Removes the link `name` (the object goes with its last link; its space is not reused).
    func unlink(_ name: String) throws {
        let child = location.child(name)
        try child.check(H5Ldelete(handle.id, name, H5.defaultPlist), "H5Ldelete", "cannot remove the record")
    }
}
