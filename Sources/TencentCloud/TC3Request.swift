/// One Tencent Cloud API 3.0 call to be signed: where it goes, what it does, and the exact body.
///
/// The API is "POST a JSON body to `/` with the action in headers"; this type carries what the
/// headers need. ``payload`` must be the bytes that will be sent, since the signature covers
/// their SHA-256.
public struct TC3Request: Sendable, Hashable {
    /// The `Host` header value: the endpoint's `host[:port]`, exactly as the server will see it
    /// (it is signed).
    public var host: String
    /// The API action, e.g. `GetWebVerificationResult` (`X-TC-Action`).
    public var action: String
    /// The API version, e.g. `2018-03-01` (`X-TC-Version`).
    public var version: String
    /// The region (`X-TC-Region`); `nil` for region-less APIs.
    public var region: String?
    /// The response language (`X-TC-Language`), e.g. `en-US`; `nil` to omit.
    public var language: String?
    /// The client identification (`X-TC-RequestClient`), e.g. `faceid-enricher/1.0.0`; `nil` to omit.
    public var requestClient: String?
    /// The body's media type; signed, and sent as `Content-Type`.
    public var contentType: String
    /// The exact body bytes.
    public var payload: [UInt8]

    /// A request; `contentType` defaults to the `application/json` the official SDKs send.
    public init(
        host: String,
        action: String,
        version: String,
        region: String?,
        language: String? = "en-US",
        requestClient: String? = nil,
        contentType: String = "application/json",
        payload: [UInt8]
    ) {
        self.host = host
        self.action = action
        self.version = version
        self.region = region
        self.language = language
        self.requestClient = requestClient
        self.contentType = contentType
        self.payload = payload
    }
}
