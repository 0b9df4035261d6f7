package testbed.guest;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.PolyglotException;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The embedded JavaScript guest (GraalJS through the polyglot API, docs/GUEST.md): one
 * polyglot {@link Engine} per runtime instance, shared by its contexts so that guest
 * code parsed and compiled for one actor is reused by the next, and one {@link Context}
 * per actor, created and used on that actor's own thread.
 *
 * <p>The engine compiles guest code at run time when the Graal compiler is on the upgrade
 * module path with JVMCI enabled (the Makefile and pom.xml arrange it); otherwise it runs
 * the guest interpreted. {@link #execution()} says which, and the report carries it.
 *
 * <p>The engine starts on first use. An engine that cannot start, or a context that
 * cannot be made, throws {@link GuestException} with the polyglot message; nothing is
 * retried, and later calls fail the same way with the same message.
 *
 * <p>Thread-safety: every method may be called from any thread; a context it returns
 * belongs to the calling thread.
 */
public final class GuestRuntime implements AutoCloseable {
    /** The language every guest actor is written in. */
    public static final String LANGUAGE = "js";

    private static final GuestRuntime DEFAULT = new GuestRuntime(Map.of());

    // Host access for guests: only members marked @HostAccess.Export, plus reading and
    // writing host ByteBuffers (what lets `new ArrayBuffer(buffer)` view the region).
    private static final HostAccess HOST_ACCESS = HostAccess.newBuilder(HostAccess.EXPLICIT)
            .allowBufferAccess(true).build();

    private final Map<String, String> options;
    private Engine engine;
    private GuestException startFailure;

    /**
     * @param options polyglot engine options on top of the defaults (a test passes a bad one
     *     to see an engine that cannot start)
     */
    public GuestRuntime(Map<String, String> options) {
        this.options = Map.copyOf(options);
    }

    /** The runtime every suite shares in this JVM. */
    public static GuestRuntime shared() {
        return DEFAULT;
    }

    /** The engine, started on first use; a failure to start is kept and thrown again. */
    public synchronized Engine engine() {
        if (engine != null) return engine;
        if (startFailure != null) throw startFailure;
        try {
            Engine.Builder b = Engine.newBuilder(LANGUAGE)
                    .allowExperimentalOptions(true)
                    .option("engine.WarnInterpreterOnly", "false")
                    .out(java.io.OutputStream.nullOutputStream())
                    .err(java.io.OutputStream.nullOutputStream());
            options.forEach(b::option);
            engine = b.build();
            if (!engine.getLanguages().containsKey(LANGUAGE)) {
                engine.close();
                engine = null;
                throw new IllegalStateException("the polyglot engine has no '" + LANGUAGE + "' language (js-community missing from the class path)");
            }
            return engine;
        } catch (RuntimeException | LinkageError e) {
            startFailure = new GuestException("the polyglot engine cannot start: " + message(e), e);
            throw startFailure;
        }
    }

    /** A new context for the calling thread, on the shared engine. */
    public Context newContext() {
        Engine e = engine();
        try {
            return Context.newBuilder(LANGUAGE).engine(e).allowHostAccess(HOST_ACCESS).build();
        } catch (RuntimeException ex) {
            throw new GuestException("cannot create a guest context: " + message(ex), ex);
        }
    }

    /** "compiled" when Truffle compiles guest code with the Graal compiler, else "interpreted". */
    public String execution() {
        return engine().getImplementationName().equals("Interpreted") ? "interpreted" : "compiled";
    }

    /** What the report's host section says about the guest; never throws. */
    public Map<String, Object> describe() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("language", "JavaScript (GraalJS)");
        try {
            Engine e = engine();
            d.put("polyglot_version", polyglotVersion());
            d.put("engine_version", e.getVersion());
            d.put("execution", execution());
            d.put("compiler", e.getImplementationName());
        } catch (GuestException ex) {
            d.put("execution", "unavailable");
            d.put("error", ex.getMessage());
        }
        return d;
    }

    /**
     * The flags of this JVM that give the guest runtime compilation (JVMCI, the upgrade
     * module path), for a child JVM that runs guest actors: the same choice as its parent.
     */
    public static java.util.List<String> jvmFlagsOfThisJvm() {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (String a : java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.equals("-XX:+UnlockExperimentalVMOptions") || a.equals("-XX:+EnableJVMCI")
                    || a.startsWith("--upgrade-module-path") || a.startsWith("--sun-misc-unsafe-memory-access")) {
                out.add(a);
            }
        }
        return out;
    }

    /** The polyglot API's release, as its jar records it ("25.0.2"), or "unknown". */
    static String polyglotVersion() {
        try (java.io.InputStream in = Engine.class.getResourceAsStream("/META-INF/graalvm/org.graalvm.polyglot/version")) {
            return in == null ? "unknown" : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    /**
     * The guest's own message for a failure: a polyglot exception's message is what the
     * guest threw ("Error: boom"), with the guest's source position when it has one.
     */
    public static String message(Throwable t) {
        if (t instanceof PolyglotException pe) {
            String where = pe.getSourceLocation() == null ? ""
                    : " (" + pe.getSourceLocation().getSource().getName() + ":" + pe.getSourceLocation().getStartLine() + ")";
            return (pe.isGuestException() ? "" : "host: ") + pe.getMessage() + where;
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    @Override
    public synchronized void close() {
        if (engine != null && this != DEFAULT) {
            engine.close(true);
            engine = null;
        }
    }
}
