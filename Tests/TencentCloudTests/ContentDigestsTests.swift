import TencentCloud
import Testing

@Suite("ContentDigests: MD5 and SHA-256 of a stream, fed in chunks")
struct ContentDigestsTests {
    @Test("chunked feeding gives the one-shot digests, whatever the chunk size")
    func chunkedEqualsOneShot() {
        let bytes = (0..<100_003).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 17) }
        for chunk in [1, 7, 4096, 65_536, 200_000] {
            let digests = ContentDigests()
            var offset = 0
            while offset < bytes.count {
                let end = min(bytes.count, offset + chunk)
                digests.update(Array(bytes[offset..<end]))
                offset = end
            }
            #expect(digests.byteCount == bytes.count)
            let (md5, sha256) = digests.finish()
            #expect(md5 == Digest.md5(bytes), "chunk \(chunk)")
            #expect(sha256 == Digest.sha256(bytes), "chunk \(chunk)")
        }
    }

    @Test("without SHA-256, the MD5 is the same and the SHA-256 empty")
    func md5Only() {
        let digests = ContentDigests(includingSHA256: false)
        digests.update(Array("abc".utf8))
        let (md5, sha256) = digests.finish()
        #expect(Digest.hex(md5) == "900150983cd24fb0d6963f7d28e17f72")
        #expect(sha256.isEmpty)
    }

    @Test("known answers: the empty stream and \"abc\"")
    func knownAnswers() {
        let empty = ContentDigests().finish()
        #expect(Digest.hex(empty.md5) == "d41d8cd98f00b204e9800998ecf8427e")
        #expect(Digest.hex(empty.sha256) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let abc = ContentDigests()
        abc.update(Array("abc".utf8))
        let digests = abc.finish()
        #expect(Digest.hex(digests.md5) == "900150983cd24fb0d6963f7d28e17f72")
        #expect(Digest.hex(digests.sha256) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
