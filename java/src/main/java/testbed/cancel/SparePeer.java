package testbed.cancel;

import testbed.peer.PeerClient;
import testbed.peer.PeerProcess;
import testbed.region.Region;

/**
 * A second peer on a region of its own, for a case that kills it, so that the session's peer
 * and region outlive the case: closing removes the peer, its channel and its region.
 */
final class SparePeer implements AutoCloseable {
    final Region region;
    final PeerProcess process;
    final PeerClient client;
    final CancelCalls calls;

    SparePeer() {
        region = Region.create();
        PeerProcess p = null;
        try {
            p = PeerProcess.start(PeerProcess.defaultBinary(), region.path());
            client = new PeerClient(p);
        } catch (RuntimeException e) {
            if (p != null) p.close();
            region.close();
            throw e;
        }
        process = p;
        calls = new CancelCalls(client.channel(), client);
    }

    @Override
    public void close() {
        try {
            client.close();
        } finally {
            try {
                process.close();
            } finally {
                region.close();
            }
        }
    }
}
