#if canImport(Glibc)
import Glibc
#endif

/// The glibc functions that Swift's Glibc module does not import (declared only under `_GNU_SOURCE`
/// or in headers it leaves out), looked up at run time so an older C library degrades instead of
/// failing to load.
enum GNULibC {
    /// `pipe2(2)` (glibc 2.9): a pipe whose ends can be close-on-exec from the start.
    static let pipe2: (@convention(c) (UnsafeMutablePointer<Int32>?, Int32) -> Int32)? = symbol("pipe2")

    /// `posix_spawn_file_actions_addclosefrom_np(3)` (glibc 2.34): closes every descriptor from `fd` up in the child.
    static let addCloseFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32)?
        = symbol("posix_spawn_file_actions_addclosefrom_np")

    /// `pidfd_open(2)` (glibc 2.36, Linux 5.3): a descriptor that polls readable once the process exits.
    static let pidfdOpen: (@convention(c) (pid_t, UInt32) -> Int32)? = symbol("pidfd_open")

    /// The function named `name` in the loaded libraries, as the C function type `F`.
    private static func symbol<F>(_ name: String) -> F? {
        guard let address = dlsym(dlopen(nil, RTLD_NOW), name) else { return nil }
        return unsafeBitCast(address, to: F.self)
    }
}
