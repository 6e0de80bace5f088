import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A small HTTP/1.1 server on `127.0.0.1` for tests: keep-alive, a thread per connection, and
/// replies scripted per request by a handler, including late, truncated and dropped ones.
///
/// It counts what a client test needs to check: connections accepted (keep-alive reuse),
/// requests handled, and connections the client closed while a reply was being delayed
/// (cancellation and timeouts abort the transfer). Bind to an ephemeral port with ``start(handler:)``,
/// stop with ``stop()`` (or use ``withServer(handler:_:)``, which always stops it).
public final class LoopbackHTTPServer: Sendable {
    /// The handler answering each request; it runs on the connection's thread.
    public typealias Handler = @Sendable (LoopbackHTTPRequest) -> LoopbackHTTPReply

    struct State {
        var connections: Set<Int32> = []
        var liveThreads = 0
        var connectionsAccepted = 0
        var requestsReceived = 0
        var requestsHandled = 0
        var closedByClientWhileWaiting = 0
        var isStopping = false
    }

    /// The port the server listens on.
    public let port: Int
    private let listener: Int32
    let handler: Handler
    let state = Mutex(State())

    /// `http://127.0.0.1:<port>`, without a trailing slash.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// TCP connections accepted so far.
    public var connectionsAccepted: Int { state.withLock { $0.connectionsAccepted } }
    /// Requests read so far (counted before the handler runs or any delay starts).
    public var requestsReceived: Int { state.withLock { $0.requestsReceived } }
    /// Requests answered (or dropped) so far.
    public var requestsHandled: Int { state.withLock { $0.requestsHandled } }
    /// Connections the client closed while the server was delaying its reply.
    public var connectionsClosedByClientWhileWaiting: Int { state.withLock { $0.closedByClientWhileWaiting } }

    private init(port: Int, listener: Int32, handler: @escaping Handler) {
        self.port = port
        self.listener = listener
        self.handler = handler
    }

    /// Binds `127.0.0.1` on an ephemeral port and starts accepting.
    public static func start(handler: @escaping Handler) throws -> LoopbackHTTPServer {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw LoopbackServerError(message: "socket() failed: errno \(errno)") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0, listen(fd, 256) == 0 else {
            close(fd)
            throw LoopbackServerError(message: "bind/listen on 127.0.0.1 failed: errno \(errno)")
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        let server = LoopbackHTTPServer(port: Int(UInt16(bigEndian: address.sin_port)), listener: fd, handler: handler)
        server.spawn { server.acceptLoop() }
        return server
    }

    /// Runs `body` with a started server and stops it afterwards, whatever happens.
    public static func withServer<T>(
        handler: @escaping Handler,
        _ body: (LoopbackHTTPServer) async throws -> T
    ) async throws -> T {
        let server = try start(handler: handler)
        defer { server.stop() }
        return try await body(server)
    }

    /// Stops accepting, closes every connection, and waits (at most 5 s) for its threads to end.
    ///
    /// Connections are shut down under the lock their threads close them under: a descriptor closed
    /// a moment earlier (the client hung up as the test ended) is reused at once by whatever opens
    /// the next one in this process, often another test's server or client, and shutting that down
    /// would break a test that has nothing to do with this server.
    public func stop() {
        state.withLock { state in
            state.isStopping = true
            for fd in state.connections { shutdown(fd, Int32(SHUT_RDWR)) }
        }
        shutdown(listener, Int32(SHUT_RDWR))
        for _ in 0..<500 {
            if state.withLock({ $0.liveThreads == 0 }) { break }
            usleep(10_000)
        }
        close(listener)
    }

    private var isStopping: Bool { state.withLock { $0.isStopping } }

    private func spawn(_ work: @escaping @Sendable () -> Void) {
        state.withLock { $0.liveThreads += 1 }
        Thread.detachNewThread { [self] in
            work()
            state.withLock { $0.liveThreads -= 1 }
        }
    }

    private func acceptLoop() {
        while !isStopping {
            var pollDescriptor = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&pollDescriptor, 1, 50) > 0 else { continue }
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { continue }
            let accepted = state.withLock { state in
                guard !state.isStopping else { return false }
                state.connections.insert(connection)
                state.connectionsAccepted += 1
                return true
            }
            guard accepted else {
                close(connection)
                return
            }
            var one: Int32 = 1
            setsockopt(connection, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            spawn { [self] in
                serve(connection)
                state.withLock { state in
                    state.connections.remove(connection)
                    close(connection)
                }
            }
        }
    }
}

/// A loopback server could not start.
public struct LoopbackServerError: Error, Sendable, CustomStringConvertible {
    /// What failed.
    public var message: String
    /// The message.
    public var description: String { message }
}
