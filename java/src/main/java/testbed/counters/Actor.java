package testbed.counters;

import testbed.ffi.AtomicShim;
import testbed.guest.JsCounterActor;
import testbed.proto.v1.AddCountersResponse;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/** One runtime's actor(s) on one slot: how to wait for them and how to abandon them. */
final class Actor {
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    final String runtime;
    final int slot;
    final int count;
    private final Thread thread;
    final long[] javaDone; // a Java actor's increments, then its run time in ns
    private final AtomicShim shim;
    private long handle;
    private final CompletableFuture<AddCountersResponse> goCall;
    JsCounterActor js;

    private Actor(String runtime, int slot, int count, Thread thread, long[] javaDone, AtomicShim shim, long handle,
                  CompletableFuture<AddCountersResponse> goCall) {
        this.runtime = runtime;
        this.slot = slot;
        this.count = count;
        this.thread = thread;
        this.javaDone = javaDone;
        this.shim = shim;
        this.handle = handle;
        this.goCall = goCall;
    }

    static Actor java(int slot, MemorySegment seg, MemorySegment gate, MemorySegment ready, long n, boolean plain,
                      AtomicReference<Throwable> failure, AtomicBoolean stop) {
        long[] done = new long[2]; // increments, then run time in ns
        Thread t = Thread.ofPlatform().daemon().name("counters-java-" + slot).unstarted(() -> {
            LONG.getAndAdd(ready, 0L, 1L);
            long spins = 0;
            while ((long) LONG.getVolatile(gate, 0L) == 0L) {
                // On 2 cores a pure spin would starve the actors still starting up.
                if (++spins % 256 == 0) Thread.yield();
                else Thread.onSpinWait();
            }
            long i = 0;
            long t0 = System.nanoTime();
            if (plain) {
                // A read, then a write: not atomic. Opaque, so that the JIT keeps every
                // access; with plain get/set it may keep the count in a register and write
                // once, and a whole run then lost nothing on a loaded machine.
                for (; i < n; i++) {
                    long v = (long) LONG.getOpaque(seg, 0L);
                    LONG.setOpaque(seg, 0L, v + 1);
                }
            } else if (stop != null) {
                for (; i < n; i++) {
                    LONG.getAndAdd(seg, 0L, 1L);
                    if ((i & 1023) == 1023 && stop.get()) {
                        i++;
                        break;
                    }
                }
            } else {
                for (; i < n; i++) LONG.getAndAdd(seg, 0L, 1L);
            }
            done[0] = i;
            done[1] = System.nanoTime() - t0;
        });
        t.setUncaughtExceptionHandler((th, e) -> failure.compareAndSet(null, e));
        t.start();
        return new Actor(plain ? "java_plain" : "java", slot, 1, t, done, null, 0, null);
    }

    static Actor js(int slot, JsCounterActor js) {
        Actor a = new Actor(js.script().name(), slot, 1, null, null, null, 0, null);
        a.js = js;
        return a;
    }

    static Actor nativeGroup(String runtime, int slot, AtomicShim shim, long handle) {
        return new Actor(runtime, slot, 1, null, null, shim, handle, null);
    }

    static Actor go(int slot, CompletableFuture<AddCountersResponse> call, int goroutines) {
        return new Actor("go", slot, goroutines, null, null, null, 0, call);
    }

    long await(Duration bound) {
        try {
            if (js != null) {
                if (!js.join(bound)) {
                    js.cancel();
                    js.join(Duration.ofSeconds(5));
                    throw new IllegalStateException(runtime + " actor still running after " + bound.toSeconds() + " s; cancelled it");
                }
                if (js.failure() != null) throw new IllegalStateException(js.failure());
                return js.done();
            }
            if (thread != null) {
                if (!thread.join(bound)) throw new IllegalStateException("Java actor still running after " + bound.toSeconds() + " s");
                return javaDone[0];
            }
            if (shim != null) {
                long r = shim.workersJoin(handle, bound.toMillis());
                if (r < 0) throw new IllegalStateException(shim.name() + " workers did not finish within " + bound.toSeconds() + " s");
                handle = 0;
                return r;
            }
            return goCall.get(bound.toMillis(), TimeUnit.MILLISECONDS).getIncrementsDone();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the " + runtime + " actor");
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Go actor did not answer within " + bound.toSeconds() + " s");
        }
    }

    /** Waits for a guest's thread only (its count and failure are read by {@link #await}). */
    void awaitThread(Duration bound) {
        try {
            if (!js.join(bound)) {
                js.cancel();
                js.join(Duration.ofSeconds(5));
                throw new IllegalStateException(runtime + " actor still running after " + bound.toSeconds() + " s; cancelled it");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the " + runtime + " actor");
        }
    }

    /** Asks a native group to stop before its count (the Java actors watch their stop flag). */
    void stopEarly() {
        if (shim != null && handle > 0) shim.workersStop(handle);
    }

    /**
     * Stops and reaps whatever is left after a failure, so no thread outlives the case: a
     * guest is given up (cancelled through its context) and joined, a Java thread joined,
     * a native group stopped and joined. Returns null, or what is still alive.
     */
    String abandon(Duration bound) {
        try {
            if (js != null && !js.abandon(bound)) return runtime + " guest thread";
            if (thread != null && !thread.join(bound)) return runtime + " thread";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return runtime + " (interrupted while joining)";
        }
        if (shim != null && handle > 0) {
            shim.workersStop(handle);
            shim.workersJoin(handle, bound.toMillis());
            handle = 0;
        }
        return null;
    }
}
