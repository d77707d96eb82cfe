import CCurl
import OpsBrainCore
import OpsBrainPlatform

/// libcurl's process-wide setup. Swift runs a global's initializer exactly once, thread-safely,
/// so the first transfer on any thread sets libcurl up and the rest wait for it.
private let curlGlobalSetup: CURLcode = curl_global_init(opsbrain_curl_global_default())

/// One libcurl easy handle and the memory it points into, for a single blocking transfer.
///
/// Not shared between threads: `HTTPClient` makes one per request and drops it afterwards.
final class CurlTransfer {
    private let handle: UnsafeMutableRawPointer
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private var lists: [UnsafeMutablePointer<curl_slist>] = []
    /// Where the response's body and headers land.
    let sink: ResponseSink
    /// The transfer in messages: the method and the URL without credentials or query values.
    let displayName: String

    /// A handle for `url` that gives up after `timeout` and keeps at most `limit` body bytes.
    init(url: String, displayName: String, timeout: Duration, limit: Int) throws {
        guard curlGlobalSetup == CURLE_OK else { throw StepFailure("\(displayName): libcurl could not be initialised") }
        guard let handle = curl_easy_init() else { throw StepFailure("\(displayName): libcurl could not make a handle") }
        self.handle = handle
        self.displayName = displayName
        self.sink = ResponseSink(limit: limit)
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        try configure(url: url, timeout: timeout)
    }

    deinit {
        curl_easy_cleanup(handle)
        lists.forEach { curl_slist_free_all($0) }
        errorBuffer.deallocate()
    }

    private func configure(url: String, timeout: Duration) throws {
        let millis = max(1, Int(timeout.milliseconds))
        try set(CURLOPT_URL, url)
        try set(CURLOPT_NOSIGNAL, 1)
        try set(CURLOPT_TIMEOUT_MS, millis)
        try set(CURLOPT_CONNECTTIMEOUT_MS, millis)
        try set(CURLOPT_PROTOCOLS_STR, "http,https")
        try set(CURLOPT_USERAGENT, "opsbrain")
        try check(opsbrain_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer), CURLOPT_ERRORBUFFER)
        let context = Unmanaged.passUnretained(sink).toOpaque()
        try check(opsbrain_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, context), CURLOPT_WRITEDATA)
        try check(opsbrain_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, context), CURLOPT_HEADERDATA)
        try check(opsbrain_curl_setopt_write(handle, CURLOPT_WRITEFUNCTION) { data, size, count, context in
            ResponseSink.from(context).appendBody(data, size * count)
        }, CURLOPT_WRITEFUNCTION)
        try check(opsbrain_curl_setopt_write(handle, CURLOPT_HEADERFUNCTION) { data, size, count, context in
            ResponseSink.from(context).appendHeaderLine(data, size * count)
        }, CURLOPT_HEADERFUNCTION)
    }

    /// Sets a numeric option.
    func set(_ option: CURLoption, _ value: Int) throws {
        try check(opsbrain_curl_setopt_long(handle, option, value), option)
    }

    /// Sets a text option (libcurl copies it).
    func set(_ option: CURLoption, _ value: String) throws {
        try check(value.withCString { opsbrain_curl_setopt_string(handle, option, $0) }, option)
    }

    /// Sets a list option (headers, connect-to); the list lives as long as the transfer.
    func set(_ option: CURLoption, list items: [String]) throws {
        var list: UnsafeMutablePointer<curl_slist>?
        for item in items {
            guard let longer = curl_slist_append(list, item) else {
                curl_slist_free_all(list)
                throw StepFailure("\(displayName): out of memory building a libcurl list")
            }
            list = longer
        }
        guard let list else { return }
        lists.append(list)
        try check(opsbrain_curl_setopt_pointer(handle, option, list), option)
    }

    /// Sets a request body; libcurl keeps its own copy.
    func setBody(_ body: [UInt8]) throws {
        try set(CURLOPT_POSTFIELDSIZE, body.count)
        if body.isEmpty { return try set(CURLOPT_COPYPOSTFIELDS, "") }
        try check(body.withUnsafeBytes {
            opsbrain_curl_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: $0.baseAddress))
        }, CURLOPT_COPYPOSTFIELDS)
    }

    /// Runs the transfer and returns how long it took. A body cut at the limit is not an error.
    func perform() throws -> Duration {
        let start = ContinuousClock.now
        let code = curl_easy_perform(handle)
        let latency = start.duration(to: .now)
        if code != CURLE_OK && !(code == CURLE_WRITE_ERROR && sink.truncated) {
            throw StepFailure("\(displayName): \(message(for: code))")
        }
        return latency
    }

    /// The response's HTTP status (0 before a response arrived).
    var status: Int {
        var code = 0
        _ = opsbrain_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &code)
        return code
    }

    /// CERTINFO's `Name:value` lines, one list per certificate, the server's own first.
    var certificates: [[String]] {
        var info: UnsafeMutablePointer<curl_certinfo>?
        guard opsbrain_curl_getinfo_certinfo(handle, &info) == CURLE_OK, let info, let chain = info.pointee.certinfo
        else { return [] }
        return (0..<Int(info.pointee.num_of_certs)).map { index in
            var lines: [String] = []
            var node = chain[index]
            while let current = node {
                if let data = current.pointee.data { lines.append(String(cString: data)) }
                node = current.pointee.next
            }
            return lines
        }
    }

    private func message(for code: CURLcode) -> String {
        let detail = String(cString: errorBuffer)
        return detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
    }

    private func check(_ code: CURLcode, _ option: CURLoption) throws {
        guard code == CURLE_OK else {
            throw StepFailure("\(displayName): libcurl refused option \(option.rawValue): \(String(cString: curl_easy_strerror(code)))")
        }
    }
}
