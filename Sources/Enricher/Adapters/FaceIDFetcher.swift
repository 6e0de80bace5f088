import EnricherJSON
import Pipeline
import TencentCloud

/// The pipeline's fetcher on the Tencent Cloud client: one signed call per invocation, the
/// `Response` object returned verbatim, failures translated from the client's single
/// classification table into the pipeline's four kinds.
struct FaceIDFetcher: VerificationFetcher {
    let client: FaceIDClient

    func fetch(bizToken: String, region: String) async throws(FetchFailure) -> JSONValue {
        guard let region = Region(rawValue: region) else {
            // The pipeline validates regions before fetching; reaching here is a wiring bug,
            // reported as a final answer rather than retried forever.
            throw FetchFailure(kind: .final, code: "UnsupportedRegion", message: "unsupported region '\(region)'")
        }
        do {
            return try await client.getWebVerificationResult(bizToken: bizToken, region: region).response
        } catch {
            throw FetchFailure(kind: Self.kind(of: error.category), code: error.code.rawValue, message: error.message, requestId: error.requestID)
        }
    }

    static func kind(of category: TencentCloudError.Category) -> FetchFailure.Kind {
        switch category {
        case .retryable: return .retryable
        case .rateLimited: return .rateLimited
        case .halting: return .halting
        case .final: return .final
        }
    }
}
