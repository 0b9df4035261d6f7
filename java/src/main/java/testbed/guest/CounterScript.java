package testbed.guest;

import java.util.Objects;

/**
 * The guest side of a counters actor: a JavaScript source that evaluates to a function
 * {@code (buffer, host, offset, n) => increments done}, where {@code buffer} is the host's
 * ByteBuffer over the whole region, {@code host} a {@link GuestRegion} over the same
 * memory, and {@code offset} the slot's byte offset in the region.
 *
 * @param name   the counters runtime label ("js_atomics_view", "js_host_varhandle")
 * @param style  "a" (Atomics on a typed-array view) or "b" (host VarHandle calls)
 * @param source the script
 */
public record CounterScript(String name, String style, String source) {

    /**
     * Style (a): {@code Atomics.add} on a BigInt64Array over an ArrayBuffer made from the
     * host's buffer. ECMAScript gives Atomics their atomicity only on a SharedArrayBuffer;
     * on this view GraalJS reads, adds and writes back, so it races the host's atomics.
     */
    public static final CounterScript ATOMICS_VIEW = new CounterScript("js_atomics_view", "a", """
            (function (buffer, host, offset, n) {
              const view = new BigInt64Array(new ArrayBuffer(buffer));
              const at = offset / 8;
              let k = 0;
              for (; k < n; k++) Atomics.add(view, at, 1n);
              return k;
            })
            """);

    /** Style (b): every increment is a call of the host's VarHandle getAndAdd. */
    public static final CounterScript HOST_VARHANDLE = new CounterScript("js_host_varhandle", "b", """
            (function (buffer, host, offset, n) {
              let k = 0;
              for (; k < n; k++) host.getAndAdd(offset, 1);
              return k;
            })
            """);

    public CounterScript {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(style, "style");
        Objects.requireNonNull(source, "source");
    }

    /** Style (a) shares the host's memory without sharing its atomicity: lost updates are a known hazard. */
    public boolean knownHazard() {
        return style.equals("a");
    }
}
