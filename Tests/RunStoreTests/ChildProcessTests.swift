// Run files opened by this process are not inherited by child processes: HDF5's flock belongs to
// the open file description, so an inherited descriptor would keep the file locked after we close it.

import Foundation
import RunStore
import Testing

@Suite("Child processes")
struct ChildProcessTests {
    @Test("a child spawned while a run is open does not keep it locked after we close it")
    func childDoesNotInheritTheFile() throws {
        let scratch = ScratchDirectory("inherit")
        defer { scratch.cleanUp() }
        let path = scratch.path("run.h5")
        try SampleRun.write(to: path, Double.self, withAnalysis: false)
        let reader = try RunReader.open(path)
        // A plain posix_spawn (as C code or a user's tool would do) inherits every descriptor not
        // marked close-on-exec; Foundation's Process closes the ones open when it starts, so a
        // file another thread opens meanwhile leaks the same way (seen as a flaky lock error in
        // the parallel test suite).
        var pid: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/sleep"), strdup("5"), nil]
        defer { argv.forEach { free($0) } }
        // Started through ChildProcesses.spawn, like every child in the suite: not while another
        // test's file is between HDF5's open and its close-on-exec mark.
        try #require(ChildProcesses.spawn { posix_spawn(&pid, "/bin/sleep", nil, nil, argv, environ) } == 0)
        defer { if pid > 0 { kill(pid, SIGKILL); var status: Int32 = 0; waitpid(pid, &status, 0) } }
        usleep(200_000)   // past the child's exec, which closes close-on-exec descriptors
        reader.close()
        // The child is still running; opening for writing needs the exclusive lock.
        let writer = try AnalysisWriter.open(path)
        try writer.close()
    }
}
