import Pipeline

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A local directory as the archive (`file:///DIR`): for the demo, single-host installs and tests.
///
/// Writes are atomic: a download is staged under a temporary name in `DIR/.faceid-enricher-staging`
/// (the same file system, so the move is a `rename`), `fsync`ed, renamed to its key, and the
/// directory `fsync`ed; a reader sees the old object or the whole new one, never a part. `DIR`
/// itself must exist (a missing mount is a configuration error, not something to paper over by
/// creating it); the sub-directories of the keys are created as needed.
struct FileMediaStore: MediaStore {
    /// The archive's root.
    let directory: String

    var stagingDirectory: String { directory + "/.faceid-enricher-staging" }
    var syncsStagedFiles: Bool { true }
    var needsSHA256: Bool { false }

    func prepare() async throws(MediaArchiveFailure) {
        let directory = self.directory
        let staging = stagingDirectory
        try await BlockingIO.run { () throws(MediaArchiveFailure) in
            try Self.checkRoot(directory)
            try StagingDirectory.prepare(staging)
        }
    }

    func store(_ media: StagedMedia, key: MediaObjectKey) async throws(MediaArchiveFailure) -> String {
        let directory = self.directory
        return try await BlockingIO.run { () throws(MediaArchiveFailure) -> String in
            try Self.checkRoot(directory)
            let destination = directory + "/" + key.path
            let parent = String(destination[..<(destination.lastIndex(of: "/") ?? destination.endIndex)])
            let created = StagingDirectory.makeDirectories(parent)
            guard created == 0 else {
                throw MediaArchiveFailure.fileStore("create the object's directory", errno: created)
            }
            guard rename(media.path, destination) == 0 else {
                throw MediaArchiveFailure.fileStore("move the object into place", errno: errno)
            }
            // The rename is durable once the directory entry is.
            let parentDescriptor = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if parentDescriptor >= 0 {
                fsync(parentDescriptor)
                close(parentDescriptor)
            }
            return "file://"
                + destination.split(separator: "/", omittingEmptySubsequences: false)
                .map { MediaObjectKey.percentEncode(String($0)) }.joined(separator: "/")
        }
    }

    /// Throws the store error for a root directory that is missing or not a directory.
    static func checkRoot(_ directory: String) throws(MediaArchiveFailure) {
        var information = stat()
        guard stat(directory, &information) == 0 else {
            throw MediaArchiveFailure.fileStore("open the archive directory", errno: errno)
        }
        guard (information.st_mode & S_IFMT) == S_IFDIR else {
            throw MediaArchiveFailure.fileStore("open the archive directory", errno: ENOTDIR)
        }
    }
}
