// Ctrl-C for the tools that stop cleanly: a signal sets a flag the work polls between records.

import Foundation

/// Set by the signals `catchInterrupts` installs; never cleared.
nonisolated(unsafe) private var interruptFlag: sig_atomic_t = 0

/// Whether an interrupt arrived since `catchInterrupts`.
public var interruptRequested: Bool { interruptFlag != 0 }

/// Turns `signals` (default SIGINT) into a flag (`interruptRequested`) instead of ending the
/// process, and unblocks them: a parent that started us from a thread blocking signals (Dispatch's
/// workers do) passes its mask on, and Ctrl-C must still reach the handler.
public func catchInterrupts(_ signals: [Int32] = [SIGINT]) {
    var set = sigset_t()
    sigemptyset(&set)
    for s in signals {
        signal(s) { _ in interruptFlag = 1 }
        sigaddset(&set, s)
    }
    sigprocmask(SIG_UNBLOCK, &set, nil)
}
