import NIOCore
import Synchronization

/// The server's open connections, so `shutdown()` can close them rather
/// than leave keep-alive connections to their idle timeout. Once closed,
/// connections that arrive late are closed as soon as they are added.
actor ConnectionRegistry {
    private var channels: [ObjectIdentifier: any Channel] = [:]
    private var isClosed = false
    /// Connections open now, in all and by remote address, counted synchronously as they
    /// are accepted (the actor's own list lags behind by a hop), for the caps.
    private nonisolated let open = Mutex(OpenCount())

    struct OpenCount {
        var total = 0
        var byAddress: [String: Int] = [:]
    }

    /// Counts a new connection in, unless `limit` are open already or `perAddressLimit` from
    /// its address: one client cannot take every place. An admitted connection is counted
    /// out when it closes.
    nonisolated func admit(_ channel: any Channel, limit: Int, perAddressLimit: Int) -> Bool {
        let address = channel.remoteAddress?.ipAddress ?? "?"
        let admitted = open.withLock { count in
            let fromAddress = count.byAddress[address, default: 0]
            guard count.total < limit, fromAddress < perAddressLimit else { return false }
            count.total += 1
            count.byAddress[address] = fromAddress + 1
            return true
        }
        guard admitted else { return false }
        channel.closeFuture.whenComplete { _ in
            self.open.withLock { count in
                count.total -= 1
                let left = count.byAddress[address, default: 1] - 1
                count.byAddress[address] = left > 0 ? left : nil
            }
        }
        return true
    }

    func add(_ channel: any Channel) {
        if isClosed {
            channel.close(promise: nil)
            return
        }
        channels[ObjectIdentifier(channel)] = channel
        // Registered here, after the insertion, so a removal never overtakes it.
        channel.closeFuture.whenComplete { _ in
            Task { await self.remove(channel) }
        }
    }

    func remove(_ channel: any Channel) {
        channels[ObjectIdentifier(channel)] = nil
    }

    var count: Int { channels.count }

    func closeAll() {
        isClosed = true
        for channel in channels.values {
            channel.close(promise: nil)
        }
        channels = [:]
    }
}
