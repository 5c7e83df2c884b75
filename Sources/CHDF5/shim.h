// HDF5 (serial, 1.10.x). Macros that Swift cannot import are re-exported below as inline functions.
#include <hdf5.h>
