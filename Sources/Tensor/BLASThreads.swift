import CBLAS
import Synchronization

/// How many threads BLAS uses inside one call.
///
/// OpenBLAS splits each product over its own worker threads. For small products (an MLP of a few
/// hundred units over a couple of thousand examples) the splitting costs more than it gains, and
/// between calls the idle workers spin through `sched_yield`, which a recording sees as system
/// time. Callers that run independent work on several threads of their own (one chunk of examples
/// each) run it inside `singleThreaded`, so each call stays on its caller's thread.
public enum BLASThreads {
    /// Regions now running, and the count to restore when the last one ends.
    private static let regions = Mutex<(active: Int, saved: Int32)>((0, 0))

    /// The number of threads a BLAS call may use now.
    public static var count: Int { Int(openblas_get_num_threads()) }

    /// Runs `body` with BLAS calls on their caller's thread only. The setting is process-wide:
    /// BLAS calls made by other threads meanwhile are single-threaded too. Regions may nest and
    /// overlap (from several threads); the thread count in force before the first is restored
    /// when the last ends.
    public static func singleThreaded<R>(_ body: () throws -> R) rethrows -> R {
        regions.withLock { state in
            if state.active == 0 {
                state.saved = openblas_get_num_threads()
                if state.saved != 1 { openblas_set_num_threads(1) }
            }
            state.active += 1
        }
        defer {
            regions.withLock { state in
                state.active -= 1
                if state.active == 0 && state.saved != 1 { openblas_set_num_threads(state.saved) }
            }
        }
        return try body()
    }
}
