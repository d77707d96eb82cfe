import Foundation

/// Collects a response's body (up to a limit) and headers from libcurl's callbacks.
final class ResponseSink {
    let limit: Int
    private(set) var body: [UInt8] = []
    private(set) var headers: [String: String] = [:]
    private(set) var truncated = false
    private var headerBytes = 0

    init(limit: Int) { self.limit = limit }

    static func from(_ context: UnsafeMutableRawPointer?) -> ResponseSink {
        Unmanaged<ResponseSink>.fromOpaque(context!).takeUnretainedValue()
    }

    /// Keeps body bytes up to the limit; returning less than `count` makes libcurl stop reading.
    func appendBody(_ data: UnsafeMutablePointer<CChar>?, _ count: Int) -> Int {
        let room = limit - body.count
        let kept = min(room, count)
        if kept > 0, let data { body.append(contentsOf: UnsafeRawBufferPointer(start: data, count: kept)) }
        if kept < count { truncated = true }
        return kept
    }

    /// Records one header line; a new status line (after `100 Continue`, say) starts afresh.
    func appendHeaderLine(_ data: UnsafeMutablePointer<CChar>?, _ count: Int) -> Int {
        guard let data else { return count }
        headerBytes += count
        guard headerBytes <= limit else { return count }
        let line = String(decoding: UnsafeRawBufferPointer(start: data, count: count), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        if line.hasPrefix("HTTP/") {
            headers = [:]
        } else if let colon = line.firstIndex(of: ":") {
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers[name] = headers[name].map { $0 + ", " + value } ?? value
        }
        return count
    }
}
