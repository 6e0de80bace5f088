import Foundation
import Pipeline

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The staging area's upkeep, shared by both stores.
enum StagingDirectory {
    /// Staging files older than this are leftovers of a process that died mid-archive.
    static let staleAge: TimeInterval = 3600

    /// `mkdir -p path` (mode 0750); 0, or the `errno` of the step that failed. Blocks.
    static func makeDirectories(_ path: String) -> Int32 {
        var prefix = ""
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, 0o750) != 0, errno != EEXIST { return errno }
        }
        var information = stat()
        guard stat(path, &information) == 0 else { return errno }
        return (information.st_mode & S_IFMT) == S_IFDIR ? 0 : ENOTDIR
    }

    /// Creates `path` (and its parents) and removes stale `*.part` files in it. Blocks.
    static func prepare(_ path: String) throws(MediaArchiveFailure) {
        let status = makeDirectories(path)
        guard status == 0 else { throw MediaArchiveFailure.staging("create the staging directory", errno: status) }
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return }
        let cutoff = Date().addingTimeInterval(-staleAge)
        for name in names where name.hasSuffix(".part") {
            let file = path + "/" + name
            let modified = (try? FileManager.default.attributesOfItem(atPath: file)[.modificationDate]) as? Date
            if let modified, modified < cutoff { unlink(file) }
        }
    }
}
