import SSH

extension Fleet {
    /// Connects to every host and runs `work` on its session, at most
    /// `parallelism` hosts at a time, each on a thread of its own (libssh2
    /// blocks; see `HostPool`). One host's failure never stops the others.
    /// `work` may release its host's slot early (`HostSlot.release()`) when what
    /// is left of it mostly waits, so the next host can connect.
    ///
    /// `onEvent` is called from the host's thread as the host is connecting,
    /// connected, finished or failed; it must be quick and thread-safe.
    /// Returns one result per host, in the order of `hosts`.
    public static func run<T: Sendable>(
        _ hosts: [FleetHost],
        parallelism: Int,
        onEvent: @escaping @Sendable (FleetEvent) -> Void,
        _ work: @escaping @Sendable (_ index: Int, SSHSession, HostSlot) throws(SSHError) -> T
    ) async -> [Result<T, SSHError>] {
        await HostPool.run(count: hosts.count, parallelism: parallelism) { index, slot in
            let host = hosts[index]
            let clock = ContinuousClock()
            let start = clock.now
            onEvent(FleetEvent(index: index, host: host, kind: .connecting))
            do throws(SSHError) {
                let session = try SSHSession(configuration: host.configuration)
                defer { session.close() }
                onEvent(FleetEvent(index: index, host: host, kind: .connected(newHostKey: session.recordedHostKey)))
                let value = try work(index, session, slot)
                onEvent(FleetEvent(index: index, host: host, kind: .finished(elapsed: clock.now - start)))
                return .success(value)
            } catch {
                onEvent(FleetEvent(index: index, host: host, kind: .failed(error, elapsed: clock.now - start)))
                return .failure(error)
            }
        }
    }
}
