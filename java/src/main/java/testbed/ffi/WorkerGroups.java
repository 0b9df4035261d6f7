package testbed.ffi;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What every binding does around the three raw worker calls: errno to exception, and the set of
 * groups started through the binding and not yet joined, so that {@link AtomicShim#close()} leaves
 * none running.
 */
abstract class WorkerGroups implements AtomicShim {

    private static final long CLOSE_JOIN_MILLIS = 5_000;

    private final Set<Long> unjoined = ConcurrentHashMap.newKeySet();

    protected abstract long rawWorkersStart(long slot, int threads, long increments, long gate, long ready, long cancel);

    protected abstract int rawWorkersStop(long handle);

    protected abstract long rawWorkersJoin(long handle, long timeoutMillis);

    @Override
    public final long workersStart(long slotAddress, int threads, long increments,
                                   long gateAddress, long readyAddress, long cancelAddress) {
        long r = rawWorkersStart(slotAddress, threads, increments, gateAddress, readyAddress, cancelAddress);
        if (r <= 0) {
            int errno = (int) -r;
            String detail = switch (errno) {
                case NativeWorkerException.EINVAL -> String.format(
                        "bad arguments: slot=0x%x threads=%d increments=%d gate=0x%x ready=0x%x cancel=0x%x",
                        slotAddress, threads, increments, gateAddress, readyAddress, cancelAddress);
                case NativeWorkerException.EAGAIN, NativeWorkerException.ENOMEM ->
                        "cannot make " + threads + " threads; none were left running";
                default -> "unexpected result " + r;
            };
            throw new NativeWorkerException("interop_workers_start", errno, detail);
        }
        unjoined.add(r);
        return r;
    }

    @Override
    public final void workersStop(long handle) {
        int r = rawWorkersStop(handle);
        if (r < 0) {
            throw new NativeWorkerException("interop_workers_stop", -r, describe(handle, r));
        }
    }

    @Override
    public final long workersJoin(long handle, long timeoutMillis) {
        long r = rawWorkersJoin(handle, timeoutMillis);
        if (r == JOIN_TIMED_OUT) {
            return r;
        }
        if (r < 0) {
            throw new NativeWorkerException("interop_workers_join", (int) -r, describe(handle, r));
        }
        unjoined.remove(handle);
        return r;
    }

    @Override
    public void close() {
        List<String> stuck = new ArrayList<>();
        for (Long handle : List.copyOf(unjoined)) {
            rawWorkersStop(handle);
            long r = rawWorkersJoin(handle, CLOSE_JOIN_MILLIS);
            if (r == JOIN_TIMED_OUT) {
                stuck.add(String.valueOf(handle));
            } else {
                unjoined.remove(handle);
            }
        }
        if (!stuck.isEmpty()) {
            throw new IllegalStateException(name() + ": worker groups " + stuck + " still running "
                    + CLOSE_JOIN_MILLIS + " ms after stop");
        }
    }

    private static String describe(long handle, long r) {
        return r == -NativeWorkerException.ENOENT ? "unknown worker handle " + handle : "unexpected result " + r;
    }
}
