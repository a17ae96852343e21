/// Python programs run with Debian's libtorrent bindings. Each prints one
/// JSON object on stdout.
enum LibtorrentScripts {
    /// argv: torrent path [save directory]. Reports what libtorrent reads
    /// from the torrent. With a save directory holding the payload under the
    /// torrent's name, it also hashes the payload's pieces with hashlib and
    /// lets a libtorrent session check the payload against the torrent.
    static let inspect = #"""
import hashlib, json, os, sys, time
import libtorrent as lt

ti = lt.torrent_info(sys.argv[1])
try:
    info_hash = str(ti.info_hashes().v1)
except AttributeError:
    info_hash = str(ti.info_hash())
out = {
    "infoHash": info_hash,
    "name": ti.name(),
    "totalSize": ti.total_size(),
    "pieceLength": ti.piece_length(),
    "numPieces": ti.num_pieces(),
    "lastPieceSize": ti.piece_size(ti.num_pieces() - 1),
    "isPrivate": ti.priv(),
    "trackers": [{"tier": t.tier, "url": t.url} for t in ti.trackers()],
    "pieceHashes": [bytes(ti.hash_for_piece(i)).hex() for i in range(ti.num_pieces())],
}

if len(sys.argv) > 2:
    save = sys.argv[2]
    matching = 0
    sha256 = hashlib.sha256()
    with open(os.path.join(save, ti.name()), "rb") as f:
        for i in range(ti.num_pieces()):
            piece = f.read(ti.piece_size(i))
            sha256.update(piece)
            if hashlib.sha1(piece).digest() == bytes(ti.hash_for_piece(i)):
                matching += 1
        sha256.update(f.read())
    out["hashlibMatchingPieces"] = matching
    out["hashlibSHA256"] = sha256.hexdigest()

    # Loopback only: no DHT, LSD, UPnP or NAT-PMP.
    session = lt.session({
        "enable_dht": False, "enable_lsd": False, "enable_upnp": False,
        "enable_natpmp": False, "listen_interfaces": "127.0.0.1:0", "alert_mask": 0,
    })
    params = lt.add_torrent_params()
    params.ti = ti
    params.save_path = save
    params.flags = 0
    handle = session.add_torrent(params)
    checked = (lt.torrent_status.seeding, lt.torrent_status.finished, lt.torrent_status.downloading)
    deadline = time.time() + 60
    while handle.status().state not in checked and time.time() < deadline:
        time.sleep(0.05)
    status = handle.status()
    out["libtorrentState"] = str(status.state)
    out["libtorrentVerifiedPieces"] = sum(1 for have in status.pieces if have)
    session.pause()

print(json.dumps(out))
"""#

    /// argv: payload path, output path, "v1" or "hybrid". Lets libtorrent
    /// make a torrent of the payload with 256 KiB pieces and reports its
    /// v1 info-hash.
    static let create = #"""
import json, os, sys
import libtorrent as lt

payload, output, kind = sys.argv[1], sys.argv[2], sys.argv[3]
storage = lt.file_storage()
lt.add_files(storage, payload)
flags = lt.create_torrent.v1_only if kind == "v1" else 0
creator = lt.create_torrent(storage, 262144, flags)
creator.add_tracker("http://127.0.0.1:1/announce")
lt.set_piece_hashes(creator, os.path.dirname(payload))
data = lt.bencode(creator.generate())
with open(output, "wb") as f:
    f.write(data)
print(json.dumps({"infoHash": str(lt.torrent_info(output).info_hashes().v1)}))
"""#
}

/// What `LibtorrentScripts.inspect` prints.
struct LibtorrentReport: Decodable {
    struct Tracker: Decodable, Hashable {
        let tier: Int
        let url: String
    }

    let infoHash: String
    let name: String
    let totalSize: Int64
    let pieceLength: Int
    let numPieces: Int
    let lastPieceSize: Int
    let isPrivate: Bool
    let trackers: [Tracker]
    let pieceHashes: [String]
    let hashlibMatchingPieces: Int?
    let hashlibSHA256: String?
    let libtorrentState: String?
    let libtorrentVerifiedPieces: Int?
}

/// What `LibtorrentScripts.create` prints.
struct LibtorrentCreated: Decodable {
    let infoHash: String
}
