// MPI (Open MPI 4.1, Debian's libopenmpi-dev). Its handles are macros Swift cannot import
// (MPI_COMM_WORLD expands to `((MPI_Comm) &ompi_mpi_comm_world)`), so each one used is re-exported
// below as an inline function: Swift writes `curv_mpi_comm_world()` where C writes MPI_COMM_WORLD.
//
// Only MessagePassing (the Swift wrapper) should call these; nothing here is a stable API.
#ifndef CURVATURE_CMPI_SHIM_H
#define CURVATURE_CMPI_SHIM_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE   // sched_getaffinity, CPU_COUNT
#endif
#include <sched.h>
#include <mpi.h>

// The cores this process may run on (its affinity mask: taskset, or mpirun binding a rank to a
// core); 0 when unknown.
static inline int curv_allowed_cores(void) {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) != 0) return 0;
    return CPU_COUNT(&set);
}

static inline MPI_Comm curv_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype curv_mpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Datatype curv_mpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype curv_mpi_int64(void) { return MPI_INT64_T; }
static inline MPI_Datatype curv_mpi_byte(void) { return MPI_BYTE; }
static inline void *curv_mpi_in_place(void) { return MPI_IN_PLACE; }
static inline MPI_Op curv_mpi_sum(void) { return MPI_SUM; }
static inline MPI_Op curv_mpi_max(void) { return MPI_MAX; }
static inline MPI_Op curv_mpi_min(void) { return MPI_MIN; }
static inline int curv_mpi_thread_serialized(void) { return MPI_THREAD_SERIALIZED; }
static inline int curv_mpi_success(void) { return MPI_SUCCESS; }
static inline int curv_mpi_comm_type_shared(void) { return MPI_COMM_TYPE_SHARED; }
static inline MPI_Info curv_mpi_info_null(void) { return MPI_INFO_NULL; }

#endif
