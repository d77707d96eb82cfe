import Foundation

/// Appends lines to a log file, opening it afresh each time (created when missing), so a rotated
/// or deleted log is picked up at once.
enum TextLog {
    static func append(_ line: String, to path: String) {
        guard let handle = FileHandle(forWritingAtPath: path)
                ?? (FileManager.default.createFile(atPath: path, contents: nil) ? FileHandle(forWritingAtPath: path) : nil) else { return }
        handle.seekToEndOfFile()
        handle.write(Data((line + "\n").utf8))
        handle.closeFile()
    }
}
