import SSH

extension Fleet {
    /// Connects to every host and runs `work` on its session, at most `parallelism` hosts at
    /// a time, each on a thread of a `BlockingPool` (libssh2 blocks), in the order of `hosts`
    /// as threads free up. One host's failure never stops the others.
    ///
    /// `onEvent` is called from the host's thread as the host is connecting, connected,
    /// finished or failed; it must be quick and thread-safe. Returns one result per host, in
    /// the order of `hosts`. The bastions the hosts went through are closed before it returns.
    public static func run<T: Sendable>(
        _ hosts: [FleetHost],
        parallelism: Int,
        onEvent: @escaping @Sendable (FleetEvent) -> Void,
        _ work: @escaping @Sendable (_ index: Int, SSHSession) throws(SSHError) -> T
    ) async -> [Result<T, SSHError>] {
        let pool = BlockingPool(threads: parallelism)
        defer { hosts.closeBastions() }
        return await withTaskGroup(of: (Int, Result<T, SSHError>).self) { group in
            for index in hosts.indices {
                group.addTask {
                    let result = await pool.run(rank: index) { () -> Result<T, SSHError> in
                        let host = hosts[index]
                        let start = ContinuousClock.now
                        do throws(SSHError) {
                            let session = try connect(host, index: index, onEvent: onEvent)
                            defer { session.close() }
                            let value = try work(index, session)
                            onEvent(FleetEvent(index: index, host: host, kind: .finished(elapsed: .now - start)))
                            return .success(value)
                        } catch {
                            onEvent(FleetEvent(index: index, host: host, kind: .failed(error, elapsed: .now - start)))
                            return .failure(error)
                        }
                    }
                    return (index, result)
                }
            }
            var results = [Result<T, SSHError>?](repeating: nil, count: hosts.count)
            for await (index, result) in group { results[index] = result }
            return results.map { $0! }
        }
    }

    /// Connects to `host` (blocking): reports `connecting`, then `connected` once the host key
    /// is verified and the user authenticated. A failure is thrown, not reported: the caller
    /// knows what it was doing.
    public static func connect(
        _ host: FleetHost, index: Int, onEvent: @Sendable (FleetEvent) -> Void
    ) throws(SSHError) -> SSHSession {
        onEvent(FleetEvent(index: index, host: host, kind: .connecting))
        let session = try SSHSession(configuration: host.configuration)
        onEvent(FleetEvent(index: index, host: host, kind: .connected(newHostKey: session.recordedHostKey)))
        return session
    }
}
