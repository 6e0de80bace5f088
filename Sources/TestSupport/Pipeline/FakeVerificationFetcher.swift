public import EnricherJSON
public import Pipeline
import Synchronization

/// A ``VerificationFetcher`` whose answers a test scripts per call, recording every call.
/// The script is async, so a test can hold calls open (to test joining or draining).
public final class FakeVerificationFetcher: VerificationFetcher, Sendable {
    /// One call the pipeline made.
    public struct Call: Sendable, Hashable {
        /// The `BizToken` asked for.
        public var bizToken: String
        /// The region asked in.
        public var region: String
        /// 1 for the first call for this token, 2 for the second, …
        public var number: Int
    }

    /// Decides the answer to a call.
    public typealias Script = @Sendable (Call) async throws(FetchFailure) -> JSONValue

    private let calls = Mutex<[Call]>([])
    private let script: Mutex<Script>

    /// A fetcher answering every call with ``passed(errorCode:requestId:)`` until scripted otherwise.
    public convenience init() {
        self.init(script: FakeVerificationFetcher.alwaysPassed)
    }

    /// A fetcher answering with `script`.
    public init(script: @escaping Script) {
        self.script = Mutex(script)
    }

    @Sendable private static func alwaysPassed(_ call: Call) async throws(FetchFailure) -> JSONValue {
        passed()
    }

    /// Replaces the script (e.g. "the operator fixed the credentials").
    public func setScript(_ script: @escaping Script) {
        self.script.withLock { $0 = script }
    }

    /// Records the call and answers with the script.
    public func fetch(bizToken: String, region: String) async throws(FetchFailure) -> JSONValue {
        let call = calls.withLock { calls -> Call in
            let number = calls.filter { $0.bizToken == bizToken }.count + 1
            let call = Call(bizToken: bizToken, region: region, number: number)
            calls.append(call)
            return call
        }
        let script = self.script.withLock { $0 }
        return try await script(call)
    }

    /// Every call so far, in order.
    public var recordedCalls: [Call] { calls.withLock { $0 } }

    /// How many calls were made for `bizToken`.
    public func callCount(for bizToken: String) -> Int {
        calls.withLock { $0.filter { $0.bizToken == bizToken }.count }
    }

    /// A `GetWebVerificationResult` response with a verdict of `errorCode` and media URLs.
    public static func passed(errorCode: Int = 0, requestId: String = "req-1") -> JSONValue {
        [
            "ErrorCode": .integer(errorCode),
            "ErrorMsg": errorCode == 0 ? "Succeed" : "Failed",
            "VerificationDetailList": [],
            "VideoBestFrameUrl": "https://media.example.invalid/frame.jpg",
            "VideoBestFrameMd5": "00000000000000000000000000000000",
            "VideoUrl": "https://media.example.invalid/video.mp4",
            "VideoMd5": "11111111111111111111111111111111",
            "RequestId": .string(requestId),
        ]
    }

    /// A response without a verdict yet (`ErrorCode` null).
    public static func pending(requestId: String = "req-p") -> JSONValue {
        ["ErrorCode": nil, "ErrorMsg": nil, "VerificationDetailList": [], "RequestId": .string(requestId)]
    }
}
