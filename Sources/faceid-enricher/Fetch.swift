import ArgumentParser
import Enricher
import EnricherJSON
import Foundation
import TencentCloud

/// `faceid-enricher fetch BIZTOKEN`: one signed FaceID call, for troubleshooting.
///
/// Prints the API's `Response` object as JSON on stdout, media URLs included (the operator
/// asked for them; they expire after 10 minutes). Exit status: 0 on a result (whatever its
/// `ErrorCode`), 1 when the call fails (the API's code and message, or the transport failure,
/// on stderr), 2 on a usage or configuration error (missing credential, unknown region).
struct Fetch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Fetch one verification result with a signed GetWebVerificationResult call and print it as JSON."
    )

    @OptionGroup var faceID: FaceIDOptions

    @Argument(help: "The BizToken of the verification (from ApplyWebVerificationToken).")
    var bizToken: String

    func validate() throws {
        guard !bizToken.isEmpty else { throw ValidationError("BIZTOKEN must not be empty") }
    }

    func run() async throws {
        let client: FaceIDClient
        do {
            let configuration = try faceID.clientConfiguration(environment: ProcessInfo.processInfo.environment)
            client = try FaceIDClient(configuration: configuration)
        } catch {
            Self.printError(error.message)
            throw ExitCode(2)
        }
        let outcome: Result<WebVerificationResult, TencentCloudError>
        do {
            outcome = .success(try await client.getWebVerificationResult(bizToken: bizToken))
        } catch {
            outcome = .failure(error)
        }
        await client.shutdown()
        switch outcome {
        case .success(let result):
            print(result.response.serialized)
        case .failure(let error):
            Self.printError(error.description)
            throw ExitCode(1)
        }
    }

    /// One line on stderr, prefixed with the program name.
    static func printError(_ message: String) {
        StandardError.write("faceid-enricher fetch: \(message)\n")
    }
}
