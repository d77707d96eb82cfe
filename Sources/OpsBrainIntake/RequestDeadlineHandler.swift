import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Cuts a connection whose client is too slow: a started request must arrive whole within the read
/// timeout (408), and a connection with no request in progress is closed after the idle timeout.
///
/// It sits in front of the HTTP decoder, so it sees the first byte of a request; the
/// `RequestProgressHandler` behind the decoder tells it when a request is complete and when its
/// answer has been written. Slow clients never hold a thread: they only hold a timer.
final class RequestDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Where the connection is in its request cycle.
    private enum Phase {
        case idle
        case reading
        case handling(bytesArrived: Bool)
    }

    private let readTimeout: TimeAmount
    private let idleTimeout: TimeAmount
    private var phase = Phase.idle
    private var timer: Scheduled<Void>?

    init(readTimeout: TimeAmount, idleTimeout: TimeAmount) {
        self.readTimeout = readTimeout
        self.idleTimeout = idleTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) { enterIdle(context) }

    func handlerRemoved(context: ChannelHandlerContext) { cancelTimer() }

    func channelInactive(context: ChannelHandlerContext) {
        cancelTimer()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch phase {
        case .idle: startReading(context)
        case .handling: phase = .handling(bytesArrived: true)
        case .reading: break
        }
        context.fireChannelRead(data)
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard let progress = event as? RequestProgress else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        switch (progress, phase) {
        case (.received, _):
            cancelTimer()
            phase = .handling(bytesArrived: false)
        case (.answered, .handling(bytesArrived: true)):
            startReading(context)
        case (.answered, _):
            enterIdle(context)
        }
        promise?.succeed(())
    }

    private func startReading(_ context: ChannelHandlerContext) {
        phase = .reading
        schedule(readTimeout, context) { handler, context in handler.answerTimeout(context) }
    }

    private func enterIdle(_ context: ChannelHandlerContext) {
        phase = .idle
        schedule(idleTimeout, context) { _, context in context.close(promise: nil) }
    }

    private func schedule(_ delay: TimeAmount, _ context: ChannelHandlerContext,
                          _ action: @escaping (RequestDeadlineHandler, ChannelHandlerContext) -> Void) {
        cancelTimer()
        let loop = context.eventLoop.assumeIsolated()
        timer = loop.scheduleTask(in: delay) { [self] in action(self, context) }
    }

    private func cancelTimer() {
        timer?.cancel()
        timer = nil
    }

    /// Writes `408 Request Timeout` in raw bytes (the decoder holds a partial request) and closes.
    private func answerTimeout(_ context: ChannelHandlerContext) {
        let body = #"{"error":"request not received in time"}"# + "\n"
        let text = "HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n"
            + "Connection: close\r\n\r\n" + body
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: text))).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }
}

/// The request-cycle events the progress handler sends to the deadline handler.
enum RequestProgress {
    /// A request has been read whole.
    case received
    /// Its answer has been written whole.
    case answered
}

/// Reports request progress to the deadline handler, and answers an oversized head with 431.
///
/// It sits behind the HTTP decoder, where requests and answers are parts, not bytes.
final class RequestProgressHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .end = unwrapInboundIn(data) {
            context.triggerUserOutboundEvent(RequestProgress.received, promise: nil)
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let isEnd: Bool
        if case .end = unwrapOutboundIn(data) { isEnd = true } else { isEnd = false }
        context.write(data, promise: promise)
        if isEnd { context.triggerUserOutboundEvent(RequestProgress.answered, promise: nil) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError, parserError == .headerOverflow else {
            context.fireErrorCaught(error)
            return
        }
        var fields = HTTPFields()
        fields[.connection] = "close"
        fields[.contentLength] = "0"
        context.write(wrapOutboundOut(.head(HTTPResponse(status: .init(code: 431), headerFields: fields))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }
}
