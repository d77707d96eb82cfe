import NIOCore
import NIOHTTP1

/// Closes the connection after an answer that ends it: to an HTTP/1.0 request without keep-alive
/// (or any request that asked to close), and after an answer that says `Connection: close`.
///
/// Hummingbird's connection loop only honours a request's `Connection: close` header, and the
/// version is gone once a head becomes an `HTTPRequest`, so this sits between NIO's HTTP/1
/// decoder and the conversion to HTTP types, where both the version and the headers are known.
final class ConnectionCloseHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// Whether the request being answered allows the connection to stay open; oldest first.
    private var keepAlive: [Bool] = []
    private var closeAfterAnswer = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let head) = unwrapInboundIn(data) { keepAlive.append(head.isKeepAlive) }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var head):
            closeAfterAnswer = !(keepAlive.first ?? true) || head.headers[canonicalForm: "connection"].contains { $0.lowercased() == "close" }
            if closeAfterAnswer && !head.headers.contains(name: "connection") { head.headers.add(name: "Connection", value: "close") }
            context.write(wrapOutboundOut(.head(head)), promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            if !keepAlive.isEmpty { keepAlive.removeFirst() }
            guard closeAfterAnswer else { return context.write(data, promise: promise) }
            let written = promise ?? context.eventLoop.makePromise()
            written.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
            context.writeAndFlush(data, promise: written)
        }
    }
}
