/// A Tencent Cloud region FaceID is called in: only `ap-jakarta` and `ap-singapore`.
///
/// The product serves those two regions (CONTRACT.md); an event naming any other region, or a
/// typo in `--region`, must be caught before a request is signed, so a region is a validated
/// value rather than a free string.
public struct Region: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    /// The region id as the API spells it, e.g. `ap-singapore`.
    public let rawValue: String

    /// Jakarta, `ap-jakarta`.
    public static let jakarta = Region(unchecked: "ap-jakarta")
    /// Singapore, `ap-singapore` (the default).
    public static let singapore = Region(unchecked: "ap-singapore")
    /// Every region faceid-enricher calls FaceID in.
    public static let supported: [Region] = [.jakarta, .singapore]

    /// The region named `rawValue`, or `nil` when it is not one of ``supported``.
    public init?(rawValue: String) {
        guard let region = Region.supported.first(where: { $0.rawValue == rawValue }) else { return nil }
        self = region
    }

    /// The region named `name`, or a ``TencentCloudConfigurationError`` naming the supported ones.
    public init(validating name: String) throws(TencentCloudConfigurationError) {
        guard let region = Region(rawValue: name) else {
            throw TencentCloudConfigurationError(
                kind: .unsupportedRegion,
                message: "unsupported region '\(name)' (supported: \(Region.supportedNames))"
            )
        }
        self = region
    }

    /// The region ids, comma-separated, for error messages.
    static var supportedNames: String { supported.map(\.rawValue).joined(separator: ", ") }

    private init(unchecked: String) { rawValue = unchecked }

    /// The region id, e.g. `ap-singapore`.
    public var description: String { rawValue }
}
