import CCurl
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The one thread that owns a libcurl multi handle and runs every transfer of a client.
///
/// libcurl handles are not thread-safe, and `curl_multi_poll` blocks: it must not run on the
/// Swift cooperative pool (two threads on this machine). So one dedicated thread owns the
/// multi handle and every easy handle in it. Other threads talk to it only through a locked
/// inbox of commands (start a transfer, cancel one, shut down) followed by
/// `curl_multi_wakeup`, the one libcurl call that is safe from any thread; the thread drains
/// the inbox, drives `curl_multi_perform`, collects finished transfers with
/// `curl_multi_info_read` and resumes their continuations, then sleeps in `curl_multi_poll`
/// until a socket is ready, a libcurl timer fires, or it is woken.
///
/// Connections live in the multi handle's cache, so every transfer reuses a kept-alive
/// connection to the same host when one is idle (and HTTP/2 multiplexes over TLS).
///
/// `@unchecked Sendable`: ``multi`` and ``active`` are touched only on the loop thread
/// (single owner); ``inbox`` is behind its `Mutex`; `curl_multi_wakeup` is thread-safe by
/// libcurl's documentation, and the multi handle is freed only in `deinit`, after the thread
/// (which holds a strong reference) has exited.
final class CurlMultiLoop: @unchecked Sendable {
    enum Command {
        case start(CurlTransfer, CheckedContinuation<Result<HTTPResponse, HTTPClientError>, Never>)
        case cancel(CurlTransfer)
    }

    struct Inbox {
        var commands: [Command] = []
        var isShuttingDown = false
        var hasExited = false
        var shutdownWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let multi: UnsafeMutableRawPointer
    let configuration: HTTPClientConfiguration
    private let inbox = Mutex(Inbox())
    /// Transfers whose easy handle is in the multi handle, by easy handle address.
    private var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]
    /// Easy handles of finished transfers, reset and ready for the next: creating and freeing one per
    /// request was a tenth of the client's own work. At most ``maximumIdleHandles``.
    private var idleHandles: [CurlEasyHandle] = []
    private var maximumIdleHandles: Int { max(1, configuration.maximumIdleConnections) }

    init(configuration: HTTPClientConfiguration) throws(HTTPClientError) {
        try CurlGlobal.ensureInitialized()
        guard let multi = curl_multi_init() else {
            throw HTTPClientError(kind: .other, message: "curl_multi_init failed (out of memory)")
        }
        self.multi = multi
        self.configuration = configuration
        _ = ccurl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, max(1, configuration.maximumIdleConnections))
        if let perHost = configuration.maximumConnectionsPerHost {
            _ = ccurl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, max(1, perHost))
        }
    }

    deinit {
        curl_multi_cleanup(multi)
    }

    /// Starts the loop thread. The thread holds a strong reference to `self` until it exits.
    func start() throws(HTTPClientError) {
        let context = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        let status = pthread_create(
            &thread,
            nil,
            { context in
                // The retain taken in start() is balanced here, when the thread ends.
                guard let context else { return nil }
                let loop = Unmanaged<CurlMultiLoop>.fromOpaque(context).takeRetainedValue()
                loop.run()
                return nil
            },
            context
        )
        guard status == 0 else {
            Unmanaged<CurlMultiLoop>.fromOpaque(context).release()
            throw HTTPClientError(kind: .other, message: "could not start the curl thread (errno \(status))")
        }
        pthread_detach(thread)
    }

    /// Queues `command` and wakes the thread; `false` when the loop is shutting down.
    @discardableResult
    func submit(_ command: Command) -> Bool {
        let accepted = inbox.withLock { inbox in
            guard !inbox.isShuttingDown else { return false }
            inbox.commands.append(command)
            return true
        }
        if accepted { curl_multi_wakeup(multi) }
        return accepted
    }

    /// Fails queued and running transfers with ``HTTPClientError/Kind/shutdown``, stops the
    /// thread, and returns once it has exited. Idempotent.
    func shutdown() async {
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let hasExited = inbox.withLock { inbox in
                inbox.isShuttingDown = true
                if !inbox.hasExited { inbox.shutdownWaiters.append(waiter) }
                return inbox.hasExited
            }
            if hasExited {
                waiter.resume()
            } else {
                curl_multi_wakeup(multi)
            }
        }
    }

    /// Asks the thread to stop without waiting for it (for `deinit`, which cannot await).
    func requestShutdown() {
        inbox.withLock { $0.isShuttingDown = true }
        curl_multi_wakeup(multi)
    }

    // MARK: The loop thread.

    private func run() {
        while true {
            let (commands, isShuttingDown) = inbox.withLock { inbox in
                let commands = inbox.commands
                inbox.commands.removeAll()
                return (commands, inbox.isShuttingDown)
            }
            for command in commands { handle(command) }
            if isShuttingDown { break }

            var running: Int32 = 0
            _ = curl_multi_perform(multi, &running)
            collectFinished()
            _ = curl_multi_poll(multi, nil, 0, 1000, nil)
        }
        exit()
    }

    private func handle(_ command: Command) {
        switch command {
        case .start(let transfer, let continuation):
            transfer.continuation = continuation
            if transfer.isCancelled.load(ordering: .acquiring) {
                transfer.finish(.failure(HTTPClientError.cancelled))
                return
            }
            do {
                let easy: CurlEasyHandle
                if let idle = idleHandles.popLast() {
                    easy = idle
                } else {
                    easy = try CurlEasyHandle()
                }
                try configure(easy, for: transfer)
                let added = curl_multi_add_handle(multi, easy.raw)
                guard added == CURLM_OK else {
                    transfer.finish(
                        .failure(
                            HTTPClientError(kind: .other, message: "curl_multi_add_handle failed (\(added.rawValue))")
                        )
                    )
                    return
                }
                transfer.easy = easy
                active[easy.raw] = transfer
            } catch {
                transfer.finish(.failure(error))
            }
        case .cancel(let transfer):
            // Not active: it has finished already, or its start (queued after this command)
            // will see the flag.
            guard let easy = transfer.easy, active[easy.raw] != nil else { return }
            remove(easy)
            transfer.finish(.failure(HTTPClientError.cancelled))
        }
    }

    private func collectFinished() {
        var queued: Int32 = 0
        while let message = curl_multi_info_read(multi, &queued) {
            guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle,
                let transfer = active[handle], let easy = transfer.easy
            else { continue }
            let code = message.pointee.data.result
            let result = outcome(of: transfer, easy: easy, code: code)
            remove(easy)
            transfer.finish(result)
        }
    }

    private func remove(_ easy: CurlEasyHandle) {
        // Removing an unfinished transfer closes its connection rather than returning it to
        // the cache, so the server sees the abort.
        _ = curl_multi_remove_handle(multi, easy.raw)
        active[easy.raw] = nil
        // Out of the multi handle, it holds no connection: reset, it can run the next request.
        if idleHandles.count < maximumIdleHandles {
            easy.reset()
            idleHandles.append(easy)
        }
    }

    private func exit() {
        let shutdownError = HTTPClientError.shutdown
        for transfer in active.values {
            if let easy = transfer.easy { remove(easy) }
            transfer.finish(.failure(shutdownError))
        }
        idleHandles.removeAll()
        let (late, waiters) = inbox.withLock { inbox in
            inbox.hasExited = true
            let late = inbox.commands
            inbox.commands.removeAll()
            let waiters = inbox.shutdownWaiters
            inbox.shutdownWaiters.removeAll()
            return (late, waiters)
        }
        for case .start(_, let continuation) in late {
            continuation.resume(returning: .failure(shutdownError))
        }
        for waiter in waiters { waiter.resume() }
    }
}
