// The processes one job runs as, and the few collective operations the tools need (sums of
// vectors, gathers, a broadcast), over MPI (Open MPI through CMPI). Started without `mpirun` a
// tool is one process and never touches MPI: every operation here is then the identity.

import CMPI
import Foundation

/// The processes ("ranks") of one job: MPI's world when the tool was started by `mpirun`, the
/// process alone otherwise.
///
/// Every collective operation must be called by all ranks, in the same order, with the same
/// lengths; the results are then the same on every rank. Call them from one thread at a time.
public final class Communicator: @unchecked Sendable {
    /// This process's index, 0..<size; rank 0 writes files and prints.
    public let rank: Int
    /// Processes in the job.
    public let size: Int
    /// Processes of the job on this machine, which share its cores.
    public let localSize: Int
    private let usesMPI: Bool

    private init(rank: Int, size: Int, localSize: Int, usesMPI: Bool) {
        self.rank = rank
        self.size = size
        self.localSize = localSize
        self.usesMPI = usesMPI
    }

    /// The process alone: no MPI, every collective the identity.
    public static let single = Communicator(rank: 0, size: 1, localSize: 1, usesMPI: false)

    /// The job's processes: MPI is initialized on first use when `launchedByMPI`, and finalized
    /// when the process exits normally; `single` otherwise.
    public static let world: Communicator = launchedByMPI ? initializeMPI() : single

    /// Whether `mpirun` (Open MPI, or a PMI launcher such as MPICH's hydra or Slurm's srun) started
    /// this process.
    public static var launchedByMPI: Bool {
        let environment = ProcessInfo.processInfo.environment
        return ["OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"].contains { environment[$0] != nil }
    }

    /// Environment variables through which a launcher tells a process it is part of a job. A tool
    /// that starts other tools (curv-sweep's recorders) removes them, so each child is a job of its own.
    public static func isLauncherVariable(_ name: String) -> Bool {
        ["OMPI_", "PMI_", "PMIX_", "HYDRA_", "MPI_LOCALNRANKS", "MPI_LOCALRANKID"].contains { name.hasPrefix($0) }
    }

    /// Whether this is rank 0 (which writes files and prints).
    public var isRoot: Bool { rank == 0 }

    /// "rank R of N: " in a job of several processes (what a message from one rank starts with); "" alone.
    public var rankLabel: String { size > 1 ? "rank \(rank) of \(size): " : "" }

    private static func initializeMPI() -> Communicator {
        var provided: Int32 = 0
        check(MPI_Init_thread(nil, nil, curv_mpi_thread_serialized(), &provided), "MPI_Init_thread")
        atexit { Communicator.finalize() }
        var rank: Int32 = 0, size: Int32 = 0
        check(MPI_Comm_rank(curv_mpi_comm_world(), &rank), "MPI_Comm_rank")
        check(MPI_Comm_size(curv_mpi_comm_world(), &size), "MPI_Comm_size")
        // Ranks that share memory share a machine.
        var node: MPI_Comm? = nil
        var localSize: Int32 = 1
        if MPI_Comm_split_type(curv_mpi_comm_world(), curv_mpi_comm_type_shared(), rank, curv_mpi_info_null(), &node) == curv_mpi_success() {
            MPI_Comm_size(node, &localSize)
            MPI_Comm_free(&node)
        }
        return Communicator(rank: Int(rank), size: Int(size), localSize: Int(localSize), usesMPI: true)
    }

    nonisolated(unsafe) private static var finalized = false

    /// Ends MPI at a normal exit (every rank must get here, as after the work's last collective).
    private static func finalize() {
        guard !finalized else { return }
        finalized = true
        var done: Int32 = 0
        MPI_Finalized(&done)
        if done == 0 { MPI_Finalize() }
    }

    /// MPI's default error handler ends the job on any failure; a non-success here is a bug.
    private static func check(_ status: Int32, _ call: String) {
        precondition(status == curv_mpi_success(), "\(call) failed with MPI error \(status)")
    }

    /// Threads this process should compute with: the cores it may run on (its affinity: `taskset`,
    /// or mpirun's binding of each rank to a core), and no more than its share of the machine's
    /// cores among the job's processes on it; at least one.
    public var threadsPerProcess: Int {
        max(1, min(Self.allowedCores, ProcessInfo.processInfo.activeProcessorCount / localSize))
    }

    /// The cores this process may run on (its CPU affinity mask), or all of them when unknown.
    public static let allowedCores: Int = {
        let count = Int(curv_allowed_cores())
        return count > 0 ? count : ProcessInfo.processInfo.activeProcessorCount
    }()

    // MARK: Collectives

    /// Replaces `values` on every rank by their element-wise sum over the ranks (MPI_Allreduce).
    /// Float and Double only. One rank: unchanged.
    public func sum<S: BinaryFloatingPoint>(_ values: inout [S]) {
        guard usesMPI, size > 1, !values.isEmpty else { return }
        let type: MPI_Datatype
        switch S.self {
        case is Double.Type: type = curv_mpi_double()
        case is Float.Type: type = curv_mpi_float()
        default: preconditionFailure("Communicator.sum: \(S.self) is not Float or Double")
        }
        let count = Int32(values.count)
        values.withUnsafeMutableBytes { buffer in
            Self.check(MPI_Allreduce(UnsafeRawPointer(curv_mpi_in_place()), buffer.baseAddress, count, type, curv_mpi_sum(), curv_mpi_comm_world()), "MPI_Allreduce")
        }
    }

    /// The element-wise sum of `values` over the ranks, on every rank. One rank: unchanged.
    public func sum(_ values: inout [Int64]) { reduce(&values, curv_mpi_sum()) }

    /// The element-wise maximum of `values` over the ranks, on every rank. One rank: unchanged.
    public func maximum(_ values: inout [Int64]) { reduce(&values, curv_mpi_max()) }

    /// The element-wise minimum of `values` over the ranks, on every rank. One rank: unchanged.
    public func minimum(_ values: inout [Int64]) { reduce(&values, curv_mpi_min()) }

    private func reduce(_ values: inout [Int64], _ op: MPI_Op) {
        guard usesMPI, size > 1, !values.isEmpty else { return }
        let count = Int32(values.count)
        values.withUnsafeMutableBytes { buffer in
            Self.check(MPI_Allreduce(UnsafeRawPointer(curv_mpi_in_place()), buffer.baseAddress, count, curv_mpi_int64(), op, curv_mpi_comm_world()), "MPI_Allreduce")
        }
    }

    /// Every rank's `mine` (any lengths), in rank order, on every rank (MPI_Allgatherv).
    public func allGather(_ mine: [Double]) -> [[Double]] { allGather(mine, type: curv_mpi_double()) }

    /// Every rank's bytes (any lengths), in rank order, on every rank (MPI_Allgatherv).
    public func allGather(_ mine: [UInt8]) -> [[UInt8]] { allGather(mine, type: curv_mpi_byte()) }

    private func allGather<E: BitwiseCopyable & Numeric>(_ mine: [E], type: MPI_Datatype) -> [[E]] {
        guard usesMPI, size > 1 else { return [mine] }
        var counts = [Int64](repeating: 0, count: size)
        counts[rank] = Int64(mine.count)
        maximum(&counts)
        precondition(counts.reduce(0, +) <= Int64(Int32.max), "Communicator.allGather: \(counts.reduce(0, +)) elements in all")
        var offsets = [Int32](repeating: 0, count: size)
        for r in 1..<size { offsets[r] = offsets[r - 1] + Int32(counts[r - 1]) }
        let counts32 = counts.map { Int32($0) }
        var all = [E](repeating: 0, count: Int(counts.reduce(0, +)))
        mine.withUnsafeBytes { send in
            all.withUnsafeMutableBytes { receive in
                Self.check(MPI_Allgatherv(send.baseAddress, Int32(mine.count), type, receive.baseAddress, counts32, offsets,
                                          type, curv_mpi_comm_world()), "MPI_Allgatherv")
            }
        }
        return (0..<size).map { r in Array(all[Int(offsets[r])..<Int(offsets[r]) + Int(counts32[r])]) }
    }

    /// Rank `root`'s bytes on every rank (MPI_Bcast; the others' `bytes` are replaced, any length).
    public func broadcast(_ bytes: inout [UInt8], from root: Int = 0) {
        guard usesMPI, size > 1 else { return }
        var count: [Int64] = [rank == root ? Int64(bytes.count) : 0]
        maximum(&count)
        if rank != root { bytes = [UInt8](repeating: 0, count: Int(count[0])) }
        bytes.withUnsafeMutableBytes { buffer in
            Self.check(MPI_Bcast(buffer.baseAddress, Int32(count[0]), curv_mpi_byte(), Int32(root), curv_mpi_comm_world()), "MPI_Bcast")
        }
    }

    /// Whether every rank passed the same `text` (a config, a data set's hash): one all-reduce
    /// of its 64-bit FNV-1a hash's minimum and maximum. Also a barrier. One rank: true.
    public func allAgree(on text: String) -> Bool {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        var low = [Int64(bitPattern: hash)], high = low
        minimum(&low)
        maximum(&high)
        return low == high
    }

    /// Waits until every rank gets here.
    public func barrier() {
        guard usesMPI, size > 1 else { return }
        Self.check(MPI_Barrier(curv_mpi_comm_world()), "MPI_Barrier")
    }

    /// Ends every rank of the job with `status` (MPI_Abort); a process alone just exits.
    public func abort(_ status: Int32) -> Never {
        if usesMPI && size > 1 { MPI_Abort(curv_mpi_comm_world(), status) }
        exit(status)
    }
}
