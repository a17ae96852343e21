import Foundation
import SSH
import TestSupport
import Testing

@Suite("SFTP upload to a real sshd")
struct UploadTests {
    @Test func largeFileArrivesIntactWithItsModeAndNoTemporaryLeftBehind() async throws {
        let server = try await OpenSSHServer()
        let session = try server.trustedSession()
        let local = try TemporaryDirectory("upload")
        let payload = SplitMix64.bytes(count: 20 * 1024 * 1024 + 12345, seed: 20)
        try Data(payload).write(to: URL(fileURLWithPath: local.path("peer")))
        let remoteDirectory = try TemporaryDirectory("remote")
        let remote = remoteDirectory.path("peer-binary")

        try session.upload(contentsOf: local.path("peer"), to: remote, permissions: 0o755)

        #expect(try Data(contentsOf: URL(fileURLWithPath: remote)) == Data(payload))
        let mode = try session.execute("stat -c %a \(remote)").stdoutText
        #expect(mode == "755\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: remoteDirectory.path) == ["peer-binary"])
    }

    /// libssh2 1.10 cuts a blocking call's wait short when a keep-alive falls due and calls it
    /// a timeout: with keep-alives on outside `execute`, an upload to a host that stalls for a
    /// few seconds (a busy link, a loaded host) failed long before the operation timeout.
    @Test func anUploadWaitsOutAStallLongerThanTheKeepAliveInterval() async throws {
        let server = try await OpenSSHServer()
        try server.knownHostsLine().write(toFile: server.knownHostsPath, atomically: true, encoding: .utf8)
        var configuration = server.configuration()
        configuration.keepAliveInterval = .seconds(1)
        let session = try SSHSession(configuration: configuration)
        _ = try session.execute("true")  // keep-alives were on while that ran
        let remoteDirectory = try TemporaryDirectory("remote")
        let remote = remoteDirectory.path("stalled")

        // The server side of the connection stops for 3 s, three keep-alive intervals.
        let thaw = try server.freezeConnections()
        // Not a task: the blocking upload below may hold the only free thread of their pool.
        DispatchQueue.global().asyncAfter(deadline: .now() + 3) { thaw() }
        let payload = SplitMix64.bytes(count: 1 << 20, seed: 21)
        let uploaded = Result { try session.upload(payload, to: remote, permissions: 0o644) }
        #expect(throws: Never.self) { try uploaded.get() }
        #expect(try Data(contentsOf: URL(fileURLWithPath: remote)) == Data(payload))
    }

    @Test func uploadReplacesAnExistingFile() async throws {
        let server = try await OpenSSHServer()
        let session = try server.trustedSession()
        let remoteDirectory = try TemporaryDirectory("remote")
        let remote = remoteDirectory.path("it's here")
        try session.upload(Array("first version\n".utf8), to: remote, permissions: 0o600)
        try session.upload(Array("second\n".utf8), to: remote, permissions: 0o640)
        #expect(try String(contentsOfFile: remote, encoding: .utf8) == "second\n")
        let attributes = try FileManager.default.attributesOfItem(atPath: remote)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o640)
        #expect(try FileManager.default.contentsOfDirectory(atPath: remoteDirectory.path) == ["it's here"])
    }

    @Test func missingRemoteDirectoryFailsAtTheUploadStage() async throws {
        let server = try await OpenSSHServer()
        let session = try server.trustedSession()
        let error = #expect(throws: SSHError.self) {
            try session.upload([1, 2, 3], to: "/nonexistent-dir-for-test/file")
        }
        #expect(error?.stage == .upload)
        #expect(error?.description.contains("/nonexistent-dir-for-test/file.tmp-") == true)
    }

    @Test func missingLocalFileFailsBeforeTouchingTheHost() async throws {
        let server = try await OpenSSHServer()
        let session = try server.trustedSession()
        let remoteDirectory = try TemporaryDirectory("remote")
        let error = #expect(throws: SSHError.self) {
            try session.upload(contentsOf: remoteDirectory.path("absent"), to: remoteDirectory.path("target"))
        }
        #expect(error?.stage == .upload)
        #expect(error?.description.contains("No such file") == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: remoteDirectory.path).isEmpty)
    }
}

@Suite("Content-addressed upload")
struct FileCacheTests {
    @Test func uploadsOnceSkipsWhenTheHostHasTheSameBytesAndRepairsADifferentFile() async throws {
        let server = try await OpenSSHServer()
        let session = try server.trustedSession()
        let local = try TemporaryDirectory("cachesource")
        let payload = (0..<(3 * 1024 * 1024)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 9) }
        try Data(payload).write(to: URL(fileURLWithPath: local.path("peer")))
        let digest = String(try await ProcessRunner.output("/usr/bin/sha256sum", [local.path("peer")]).prefix(64))
        let remoteRoot = try TemporaryDirectory("cache")
        let remote = remoteRoot.path("nested/dir/peer-\(digest)")

        #expect(try session.ensureFile(contentsOf: local.path("peer"), sha256: digest, at: remote))
        #expect(try Data(contentsOf: URL(fileURLWithPath: remote)) == Data(payload))
        let inode = try FileManager.default.attributesOfItem(atPath: remote)[.systemFileNumber] as? NSNumber

        #expect(try session.ensureFile(contentsOf: local.path("peer"), sha256: digest, at: remote) == false)
        #expect(try FileManager.default.attributesOfItem(atPath: remote)[.systemFileNumber] as? NSNumber == inode)

        // Same name, different bytes: the name is not trusted.
        try Data("tampered".utf8).write(to: URL(fileURLWithPath: remote))
        #expect(try session.ensureFile(contentsOf: local.path("peer"), sha256: digest, at: remote))
        #expect(try Data(contentsOf: URL(fileURLWithPath: remote)) == Data(payload))
    }

    @Test func aCompressedUploadIsUnpackedInPlaceWithItsMode() async throws {
        let server = try await OpenSSHServer()
        let session = try server.trustedSession()
        let local = try TemporaryDirectory("gzsource")
        let payload = (0..<(2 * 1024 * 1024)).map { UInt8(truncatingIfNeeded: $0 / 5) }
        try Data(payload).write(to: URL(fileURLWithPath: local.path("peer")))
        let digest = String(try await ProcessRunner.output("/usr/bin/sha256sum", [local.path("peer")]).prefix(64))
        _ = try await ProcessRunner.output("/bin/sh", ["-c", "gzip -c \"$0\" > \"$0.gz\"", local.path("peer")])
        let compressed = try [UInt8](Data(contentsOf: URL(fileURLWithPath: local.path("peer.gz"))))
        let remoteRoot = try TemporaryDirectory("gzcache")
        let remote = remoteRoot.path("peer-\(digest)")

        var asked = 0
        #expect(try session.ensureFile(contentsOf: local.path("peer"), sha256: digest, at: remote, gzipped: {
            asked += 1
            return compressed
        }))
        #expect(asked == 1)
        #expect(try Data(contentsOf: URL(fileURLWithPath: remote)) == Data(payload))
        let mode = try FileManager.default.attributesOfItem(atPath: remote)[.posixPermissions] as? Int
        #expect(mode == 0o755)
        #expect(try FileManager.default.contentsOfDirectory(atPath: remoteRoot.path) == ["peer-\(digest)"], "nothing else left behind")
        // Cached now: the compressed form is not even asked for.
        #expect(try session.ensureFile(contentsOf: local.path("peer"), sha256: digest, at: remote, gzipped: {
            asked += 1
            return compressed
        }) == false)
        #expect(asked == 1)
    }

    @Test func wrongExpectedDigestIsCaughtAfterTheUpload() async throws {
        let server = try await OpenSSHServer()
        let session = try server.trustedSession()
        let local = try TemporaryDirectory("cachesource")
        try Data("content".utf8).write(to: URL(fileURLWithPath: local.path("peer")))
        let remoteRoot = try TemporaryDirectory("cache")
        // What the path held before stays until a copy with the right digest replaces it.
        try Data("previous".utf8).write(to: URL(fileURLWithPath: remoteRoot.path("peer")))
        let wrong = String(repeating: "ab", count: 32)
        let error = #expect(throws: SSHError.self) {
            try session.ensureFile(contentsOf: local.path("peer"), sha256: wrong, at: remoteRoot.path("peer"))
        }
        #expect(error?.stage == .upload)
        #expect(error?.description.contains("not \(wrong)") == true)
        #expect(try Data(contentsOf: URL(fileURLWithPath: remoteRoot.path("peer"))) == Data("previous".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: remoteRoot.path) == ["peer"], "the rejected copy is removed")

        let malformed = #expect(throws: SSHError.self) {
            try session.ensureFile(contentsOf: local.path("peer"), sha256: "xyz", at: remoteRoot.path("peer"))
        }
        #expect(malformed?.description.contains("not a SHA-256 digest") == true)
    }
}
