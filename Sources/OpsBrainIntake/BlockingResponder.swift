import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOCore

/// The request context: Hummingbird's core storage and the client's address.
struct PeerRequestContext: RequestContext {
    typealias Source = ApplicationRequestContextSource

    var coreContext: CoreRequestContextStorage
    /// The client's IP address, recorded with human decisions.
    let peer: String

    init(source: Source) {
        coreContext = CoreRequestContextStorage(source: source)
        peer = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }
}

/// Answers each request by running the blocking handler on the worker pool, within the limits.
struct BlockingResponder: HTTPResponder {
    typealias Context = PeerRequestContext

    let limits: HTTPServer.Limits
    let pool: BlockingWorkPool
    let handler: HTTPServer.Handler

    func respond(to request: Request, context: PeerRequestContext) async throws -> Response {
        if request.uri.string.utf8.count > limits.maxHeaderBytes {
            return Self.response(.error(414, "the request target is longer than \(limits.maxHeaderBytes) bytes"))
        }
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > limits.maxBodyBytes {
            return Self.response(tooLarge)
        }
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: limits.maxBodyBytes)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            return Self.response(tooLarge)
        }
        let converted = Self.request(request, body: body, peer: context.peer)
        do {
            let answer = Self.response(try await pool.run { [handler] in handler(converted) })
            return request.method == .head ? answer.createHeadResponse() : answer
        } catch is BlockingWorkPool.Full {
            var busy = HTTPServerResponse.error(503, "every worker is busy; retry later")
            busy.headers.append(("Retry-After", "1"))
            return Self.response(busy)
        }
    }

    /// 413, closing the connection: the rest of an oversized body is not worth reading.
    private var tooLarge: HTTPServerResponse {
        var answer = HTTPServerResponse.error(413, "the body is larger than \(limits.maxBodyBytes) bytes")
        answer.headers.append(("Connection", "close"))
        return answer
    }

    /// Our request type: lower-case header names (repeated headers joined by commas) and the query.
    static func request(_ request: Request, body: ByteBuffer, peer: String) -> HTTPServerRequest {
        var headers: [String: String] = [:]
        for field in request.headers {
            let name = field.name.canonicalName
            headers[name] = headers[name].map { "\($0), \(field.value)" } ?? field.value
        }
        var query: [String: String] = [:]
        for (key, value) in request.uri.queryParameters { query[String(key)] = String(value) }
        return HTTPServerRequest(method: request.method.rawValue, path: request.uri.path, query: query, target: request.uri.string, headers: headers,
                                 body: Array(buffer: body), peer: peer)
    }

    /// Hummingbird's response from ours; a header name HTTP does not allow is dropped.
    static func response(_ response: HTTPServerResponse) -> Response {
        var fields = HTTPFields()
        for (name, value) in response.headers {
            guard let fieldName = HTTPField.Name(name) else { continue }
            fields.append(HTTPField(name: fieldName, value: value))
        }
        return Response(status: HTTPResponse.Status(code: response.status), headers: fields,
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: response.body)))
    }
}
