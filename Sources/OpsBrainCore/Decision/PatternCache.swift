import Foundation

/// Compiles each regular expression once; patterns come from validated SOP files.
enum PatternCache {
    nonisolated(unsafe) private static var compiled: [String: NSRegularExpression] = [:]
    private static let lock = NSLock()

    static func matches(_ pattern: String, _ text: String) -> Bool {
        lock.lock()
        let regex = compiled[pattern] ?? (try? NSRegularExpression(pattern: pattern))
        if let regex { compiled[pattern] = regex }
        lock.unlock()
        guard let regex else { return false }
        return regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }
}
