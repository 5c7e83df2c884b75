/* Reads a whole HDF5 file with plain HDF5 calls, in the order Curvature's RunManifest does (no
 * Curvature code involved): every object opened, each attribute listed and read (strings as
 * variable- or fixed-length text, numbers as double), each dataset's extent and data read. If this
 * program crashes, hangs or exhausts memory on a file, the fault is HDF5's own.
 *
 *   cc h5walk.c -o h5walk $(pkg-config --cflags --libs hdf5-serial) && ./h5walk FILE
 */
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>

/* A memory type for variable-length strings of `stored`'s character set. */
static hid_t variable_string(hid_t stored) {
    hid_t memory = H5Tcopy(H5T_C_S1);
    H5Tset_size(memory, H5T_VARIABLE);
    H5Tset_cset(memory, H5Tget_cset(stored));
    return memory;
}

static void read_attributes(hid_t object) {
    H5O_info_t info;
    if (H5Oget_info2(object, &info, H5O_INFO_NUM_ATTRS) < 0) return;
    for (hsize_t i = 0; i < info.num_attrs; i++) {
        char name[1024];
        /* The length first, as Curvature asks (a NULL buffer is allowed), then the name. */
        ssize_t length = H5Aget_name_by_idx(object, ".", H5_INDEX_NAME, H5_ITER_INC, i, NULL, 0, H5P_DEFAULT);
        if (length < 0 || length >= (ssize_t)sizeof name) continue;
        if (H5Aget_name_by_idx(object, ".", H5_INDEX_NAME, H5_ITER_INC, i, name, sizeof name, H5P_DEFAULT) < 0) continue;
        hid_t attribute = H5Aopen(object, name, H5P_DEFAULT);
        if (attribute < 0) continue;
        hid_t type = H5Aget_type(attribute), space = H5Aget_space(attribute);
        hssize_t count = H5Sget_simple_extent_npoints(space);
        if (count > 0 && count < (1 << 20)) {
            if (H5Tget_class(type) == H5T_STRING && H5Tis_variable_str(type) > 0) {
                hid_t memory = variable_string(type);
                char **strings = calloc((size_t)count, sizeof(char *));
                if (H5Aread(attribute, memory, strings) >= 0) H5Dvlen_reclaim(memory, space, H5P_DEFAULT, strings);
                free(strings);
                H5Tclose(memory);
            } else if (H5Tget_class(type) == H5T_STRING) {
                char *bytes = calloc((size_t)count, H5Tget_size(type) + 1);
                H5Aread(attribute, type, bytes);
                free(bytes);
            } else if (H5Tget_class(type) == H5T_FLOAT || H5Tget_class(type) == H5T_INTEGER) {
                double *values = calloc((size_t)count, sizeof(double));
                H5Aread(attribute, H5T_NATIVE_DOUBLE, values);
                free(values);
            }
        }
        H5Sclose(space);
        H5Tclose(type);
        H5Aclose(attribute);
    }
}

static void read_dataset(hid_t dataset) {
    hid_t space = H5Dget_space(dataset), type = H5Dget_type(dataset);
    hssize_t count = H5Sget_simple_extent_npoints(space);
    if (count > 0 && count < (1 << 24)) {
        if (H5Tget_class(type) == H5T_STRING && H5Tis_variable_str(type) > 0) {
            hid_t memory = variable_string(type);
            char **strings = calloc((size_t)count, sizeof(char *));
            if (H5Dread(dataset, memory, H5S_ALL, H5S_ALL, H5P_DEFAULT, strings) >= 0)
                H5Dvlen_reclaim(memory, space, H5P_DEFAULT, strings);
            free(strings);
            H5Tclose(memory);
        } else if (H5Tget_class(type) == H5T_FLOAT || H5Tget_class(type) == H5T_INTEGER) {
            double *values = calloc((size_t)count, sizeof(double));
            H5Dread(dataset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values);
            free(values);
        }
    }
    H5Tclose(type);
    H5Sclose(space);
}

static herr_t visit(hid_t root, const char *name, const H5O_info_t *info, void *unused) {
    (void)info; (void)unused;
    printf("%s\n", name);
    fflush(stdout);
    hid_t object = H5Oopen(root, name, H5P_DEFAULT);
    if (object < 0) return 0;
    read_attributes(object);
    if (H5Iget_type(object) == H5I_DATASET) read_dataset(object);
    H5Oclose(object);
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: h5walk FILE\n"); return 2; }
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t file = H5Fopen(argv[1], H5F_ACC_RDONLY, H5P_DEFAULT);
    if (file < 0) { fprintf(stderr, "h5walk: cannot open %s\n", argv[1]); return 1; }
    H5Ovisit2(file, H5_INDEX_NAME, H5_ITER_INC, visit, NULL, H5O_INFO_BASIC);
    H5Fclose(file);
    puts("h5walk: done");
    return 0;
}
