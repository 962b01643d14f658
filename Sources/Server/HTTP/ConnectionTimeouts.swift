public import HummingbirdCore
import Logging
public import NIOCore
import NIOHTTPTypes

/// How long a client may take: slow or silent clients must not hold
/// connections (and their memory) open for ever (slowloris, trickled uploads).
public struct ConnectionTimeouts: Sendable, Equatable {
    /// From the first byte of a request to the end of its headers (`UPARE_HEADER_TIMEOUT`).
    public var header: TimeAmount = .seconds(10)
    /// From the end of the headers to the end of the body (`UPARE_BODY_TIMEOUT`).
    public var body: TimeAmount = .seconds(60)
    /// A connection with no request in flight, new or kept alive, is closed
    /// after this (`UPARE_IDLE_TIMEOUT`): Hummingbird's own idle timeout.
    public var idle: TimeAmount = .seconds(30)

    public init() {}
}

extension HTTPServerBuilder {
    /// HTTP/1.1 with `timeouts` enforced on every connection.
    public static func http1(timeouts: ConnectionTimeouts) -> HTTPServerBuilder {
        .init { responder in
            TimedHTTP1Channel(inner: HTTP1Channel(responder: responder, configuration: .init(idleTimeout: timeouts.idle)), timeouts: timeouts)
        }
    }
}

/// Hummingbird's HTTP/1 child channel with two watchers added: one on raw
/// bytes (a request has begun) and one on decoded parts (its head and its
/// end have arrived). Between them they close a connection whose headers or
/// body do not arrive in time.
struct TimedHTTP1Channel: ServerChildChannel {
    let inner: HTTP1Channel
    let timeouts: ConnectionTimeouts

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<HTTP1Channel.Value> {
        let timeouts = self.timeouts
        return inner.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let deadlines = RequestDeadlines(timeouts: timeouts)
            let pipeline = channel.pipeline.syncOperations
            try pipeline.addHandler(RequestStartWatcher(deadlines: deadlines), position: .first)
            let state = try pipeline.context(handlerType: HTTPConnectionStateHandler.self)
            try pipeline.addHandler(RequestPartWatcher(deadlines: deadlines), position: .before(state.handler))
            return value
        }
    }

    func handle(value: HTTP1Channel.Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }
}

/// The one timer of a connection and the phase of its current request. Lives
/// on the channel's event loop, touched only by its two watchers.
final class RequestDeadlines {
    enum Phase { case idle, head, body, responding }

    let timeouts: ConnectionTimeouts
    var phase = Phase.idle
    private var timer: Scheduled<Void>?

    init(timeouts: ConnectionTimeouts) {
        self.timeouts = timeouts
    }

    func start(_ phase: Phase, within limit: TimeAmount?, context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        self.phase = phase
        guard let limit else { return }
        let channel = context.channel
        timer = context.eventLoop.scheduleTask(in: limit) { channel.close(promise: nil) }
    }

    func cancel() {
        timer?.cancel()
        timer = nil
    }
}

/// First in the pipeline: the first bytes after a response (or on a new
/// connection) start the header clock.
final class RequestStartWatcher: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    let deadlines: RequestDeadlines

    init(deadlines: RequestDeadlines) {
        self.deadlines = deadlines
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if deadlines.phase == .idle { deadlines.start(.head, within: deadlines.timeouts.header, context: context) }
        context.fireChannelRead(data)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadlines.cancel()
    }
}

/// After HTTP decoding: the head stops the header clock and starts the body
/// clock; the body's end stops it; the response's end readies the next request.
final class RequestPartWatcher: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart
    let deadlines: RequestDeadlines

    init(deadlines: RequestDeadlines) {
        self.deadlines = deadlines
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: deadlines.start(.body, within: deadlines.timeouts.body, context: context)
        case .end: deadlines.start(.responding, within: nil, context: context)
        case .body: break
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data), deadlines.phase == .responding { deadlines.phase = .idle }
        context.write(data, promise: promise)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadlines.cancel()
    }
}
