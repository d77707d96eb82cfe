/// One problem found in a document, reported as `file:line: error|warning: message`.
public struct DocumentIssue: Sendable, Equatable, CustomStringConvertible {
    public enum Level: String, Sendable { case error, warning }

    public var file: String
    public var line: Int
    public var level: Level
    public var message: String

    public init(file: String, line: Int, level: Level, message: String) {
        self.file = file
        self.line = line
        self.level = level
        self.message = message
    }

    public var description: String { "\(file):\(line): \(level.rawValue): \(message)" }
}

/// Collects the problems of one document so that a reader can report all of them, not just the first.
public final class IssueCollector {
    public let file: String
    public private(set) var issues: [DocumentIssue] = []

    public init(file: String) { self.file = file }

    public func error(_ line: Int, _ message: String) {
        issues.append(DocumentIssue(file: file, line: line, level: .error, message: message))
    }

    /// An error in another file that this document depends on (a config value it takes).
    public func error(in otherFile: String, _ line: Int, _ message: String) {
        issues.append(DocumentIssue(file: otherFile, line: line, level: .error, message: message))
    }

    public func warning(_ line: Int, _ message: String) {
        issues.append(DocumentIssue(file: file, line: line, level: .warning, message: message))
    }

    public var hasErrors: Bool { issues.contains { $0.level == .error } }
}
