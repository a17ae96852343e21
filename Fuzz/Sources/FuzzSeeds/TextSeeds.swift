import DeployProtocol

extension Seeds {
    /// The repository's own sample files, and a few hand-written variants.
    func configuration() throws {
        try write("FuzzHostsFile", "examples-hosts.txt", try repositoryFile("Examples/hosts.txt"))
        try write("FuzzHostsFile", "every-form.txt", """
            # rack 1
            web1.example.com rack=r1 dc=east
            deploy@10.0.0.7:2222 rack=r2\r
            [fd00::5]:22
            fd00::6          # bare IPv6, port from ssh.port
            root@fe80::1%eth0 role=db
            WEB1.example.com.:23 tier=front
            """)
        try write("FuzzDeployfile", "Deployfile.sample", try repositoryFile("Deployfile.sample"))
        try write("FuzzDeployfile", "ci-example", try repositoryFile("Examples/ci/Deployfile"))
        try write("FuzzDeployfile", "flow-style", """
            source: ~/build
            destination: /srv/app
            ssh: {user: deploy, port: 2222, identity: [~/.ssh/a, keys/b], parallel: 8, connect_timeout: 1m30s}
            transfer: {piece_size: 1MiB, gzip: 6, trackers: http://10.0.0.1:6969/announce, listen: 10.0.0.1, link_rate: 100M, seed_grace: 0}
            deploy: {timeout: 2h, stall_timeout: 45, max_failures: 3, keep_previous: false}
            """)
        try write("FuzzDeployfile", "anchors", """
            ssh: &s
              port: 22
              accept_new_host_keys: true
            transfer:
              piece_size: 16384
              gzip: true
              link_rate: 1.5e9
            deploy: ~
            """)
    }

    /// A job as the controller sends it, then the lines a peer prints.
    func peerJob() throws {
        let job = PeerJob(
            torrent: Array("d4:infod6:lengthi1eee".utf8), trackers: ["http://10.0.0.1:6969/s3cret/announce"],
            destination: "/opt/app", extractedBytes: 1234, tarBytes: 10_240, keepPrevious: true,
            seedGraceMilliseconds: 30_000, timeoutMilliseconds: 600_000, logLevel: "debug", controllerSilenceMilliseconds: 15_000)
        let progress = PeerProgress(
            verifiedPieces: 3, pieceCount: 10, bytesDownloaded: 49_152, bytesDuplicate: 16, bytesUploaded: 100,
            connectedPeers: 4, bytesExtracted: 2048, bannedPeerIDs: ["-XX0001-aaaa", "%2Cid"])
        let events: [PeerEvent] = [
            .started(version: SwarmdeployVersion.current, peerID: "-SD0100-abcdefghijkl", listenPort: 51413),
            .progress(progress), .downloaded, .installed(files: 12, bytes: 34_567), .finished(progress),
            .failed(stage: .extract, message: "the archive is unsafe: entry 'x' escapes"),
            .log(level: "info", message: "connected to 10.0.0.2:51413"),
        ]
        let lines = events.map(\.line) + [PeerControl.finish.rawValue, PeerControl.alive.rawValue, "some other output"]
        try write("FuzzPeerJob", "job-and-events", job.encoded() + Array(("\n" + lines.joined(separator: "\n") + "\n").utf8))
        var releases = job
        releases.layout = .releases
        releases.releaseID = "20261206T133501Z-1a2b3c4d"
        releases.keepReleases = 3
        releases.waitsForActivation = true
        releases.hooks = HookCommands(
            beforeActivate: "test -x \"$SWARMDEPLOY_RELEASE_PATH/bin/app\"", afterActivate: "systemctl restart app",
            healthCheck: "curl -fsS localhost:8080/up", healthRetries: 4)
        let rollout: [PeerEvent] = [
            .staged, .switched(release: "20261206T133501Z-1a2b3c4d", previous: "20261205T101010Z-00ff00ff"),
            .hook(name: .healthCheck, message: "curl: (7) connection refused"), .rolledBack(to: nil),
            .failed(stage: .healthCheck, message: "the health check failed all 5 attempts"),
        ]
        let controls = [PeerControl.activate.rawValue, PeerControl.abort.rawValue]
        try write("FuzzPeerJob", "job-releases", releases.encoded() + Array(("\n" + (rollout.map(\.line) + controls).joined(separator: "\n") + "\n").utf8))
        var minimal = job
        minimal.logLevel = nil
        minimal.controllerSilenceMilliseconds = nil
        try write("FuzzPeerJob", "job-minimal", minimal.encoded())
    }
}
