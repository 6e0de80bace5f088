import Foundation
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A raw HTTP/1.1 exchange with a server on 127.0.0.1, for tests that must see exactly what
/// went over the wire: a status that is not 200, a non-JSON body, a reset connection.
///
/// One connection per request (`Connection: close`), read until the server closes it, all on
/// NIO's event loops so no cooperative thread blocks while the simulator sleeps.
enum LoopbackHTTP {
    struct Response {
        var status: Int
        var headers: [(name: String, value: String)]
        var body: [UInt8]

        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
    }

    enum Failure: Error, Equatable {
        /// The server reset the connection (TCP RST).
        case connectionReset
        /// The server closed the connection without sending a byte.
        case emptyReply
        /// No complete answer within the timeout.
        case timedOut
        /// Bytes that are not an HTTP response.
        case malformed
    }

    static func send(
        port: Int,
        method: String = "POST",
        path: String = "/",
        headers: [(name: String, value: String)],
        body: [UInt8],
        timeout: Duration = .seconds(10)
    ) async throws -> Response {
        var head = "\(method) \(path) HTTP/1.1\r\n"
        for header in headers { head += "\(header.name): \(header.value)\r\n" }
        head += "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        let request = Array(head.utf8) + body

        let received = try await withThrowingTaskGroup(of: [UInt8].self) { group in
            group.addTask { try await exchange(port: port, request: request) }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw Failure.timedOut
            }
            defer { group.cancelAll() }
            guard let first = try await group.next() else { throw Failure.timedOut }
            return first
        }
        guard !received.isEmpty else { throw Failure.emptyReply }
        return try parse(received)
    }

    private static func exchange(port: Int, request: [UInt8]) async throws -> [UInt8] {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        do {
            return try await channel.executeThenClose { inbound, outbound in
                try await outbound.write(ByteBuffer(bytes: request))
                var received: [UInt8] = []
                for try await chunk in inbound {
                    received += chunk.readableBytesView
                }
                return received
            }
        } catch let error as IOError where error.errnoCode == ECONNRESET {
            throw Failure.connectionReset
        }
    }

    private static func parse(_ bytes: [UInt8]) throws -> Response {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let end = bytes.indices.first(where: { bytes[$0...].starts(with: separator) }) else {
            throw Failure.malformed
        }
        let lines = String(decoding: bytes[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines.first?.split(separator: " ") ?? []
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw Failure.malformed }
        let headers = lines.dropFirst().compactMap { line -> (name: String, value: String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces))
        }
        return Response(status: status, headers: headers, body: Array(bytes[(end + separator.count)...]))
    }
}
