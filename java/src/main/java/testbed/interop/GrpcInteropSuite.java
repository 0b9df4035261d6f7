package testbed.interop;

import io.grpc.testing.integration.AbstractInteropTest;
import testbed.Mode;
import testbed.harness.CaseSpec;
import testbed.harness.Expectation;
import testbed.harness.Suite;
import testbed.harness.TrialCount;
import testbed.harness.Verdict;
import testbed.peer.PeerProcess;
import testbed.proc.ChildProcess;
import testbed.report.CaseResult;
import testbed.report.SuiteResult;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * grpc's official interop cases (interop-test-descriptions.md) in both directions:
 * grpc-java's interop client against grpc-go's interop TestService, which the Go peer
 * serves beside its own services ({@code interop_java_to_go_*}), and grpc-go's interop
 * client functions, run by the {@code grpc-interop-client} command, against grpc-java's
 * TestServiceImpl served in this JVM on loopback ({@code interop_go_to_java_*}).
 *
 * <p>Each case passes or fails with the assertion that failed, as the two interop
 * clients state it. The broken variants: grpc-java's TestServiceImpl served without the
 * interceptors that echo custom metadata, and the Go peer's TestService told (by a request
 * header) to drop the echo headers; {@code custom_metadata} must then fail with the
 * client's metadata assertion, which proves that a failing interop case is reported as
 * failed in each direction.
 */
public final class GrpcInteropSuite {
    public static final String NAME = "interop";
    public static final String TITLE = "grpc's official interop cases, Java client to Go server and Go client to Java server.";
    /** This suite as a run sees it. */
    public static final Suite SUITE = Suite.of(NAME, TITLE, mode -> caseNames(),
            (session, settings, progress) -> new GrpcInteropSuite(session.peerProcess(), defaultGoClient(PeerProcess.defaultBinary()), progress).run(settings));

    /** The suite's cases in run order: each interop case both ways, then the three broken variants. */
    static List<String> caseNames() {
        List<String> names = new ArrayList<>();
        for (InteropCase c : CASES) names.add(JAVA_TO_GO + c.name());
        for (InteropCase c : CASES) names.add(GO_TO_JAVA + c.name());
        names.addAll(List.of(BROKEN_SERVER_GO_CLIENT, BROKEN_SERVER_JAVA_CLIENT, BROKEN_GO_SERVER_JAVA_CLIENT));
        return names;
    }

    /** No case runs longer than this, whatever the peer or the server does. */
    static final Duration CASE_BOUND = Duration.ofSeconds(30);
    /** After a timed-out Java case's channel was shut down from outside, its thread must end within this long. */
    static final Duration STOP_BOUND = Duration.ofSeconds(5);

    /** grpc-go's custom_metadata assertion when the server echoes no initial metadata. */
    static final String GO_CLIENT_CAUGHT = "Expected exactly one header from server";
    /** grpc-java's custom_metadata assertion when the server echoes no initial metadata. */
    static final String JAVA_CLIENT_CAUGHT = "expected:<test_initial_metadata_value> but was:<null>";
    /** What catches a server that does not echo metadata, as grpc-go's client says it. */
    static final Expectation GO_CLIENT_SEES_NO_ECHO = Expectation.caughtBy(GO_CLIENT_CAUGHT);
    /** What catches a server that does not echo metadata, as grpc-java's client says it. */
    static final Expectation JAVA_CLIENT_SEES_NO_ECHO = Expectation.caughtBy(JAVA_CLIENT_CAUGHT);
    /** The header that makes the Go peer's TestService drop the echo headers of a call (its broken variant). */
    static final io.grpc.Metadata.Key<String> BROKEN_ECHO = io.grpc.Metadata.Key.of("x-testbed-broken-echo", io.grpc.Metadata.ASCII_STRING_MARSHALLER);

    /** How grpc-java's interop client runs one case. */
    @FunctionalInterface
    interface JavaCase {
        void run(AbstractInteropTest client) throws Exception;
    }

    /** One official case: its name in interop-test-descriptions.md and grpc-java's method for it. */
    record InteropCase(String name, JavaCase java) {}

    /** The 14 cases, in the order of grpc's document; the Go client knows them by the same names. */
    static final List<InteropCase> CASES = List.of(
            new InteropCase("empty_unary", AbstractInteropTest::emptyUnary),
            new InteropCase("large_unary", AbstractInteropTest::largeUnary),
            new InteropCase("client_streaming", AbstractInteropTest::clientStreaming),
            new InteropCase("server_streaming", AbstractInteropTest::serverStreaming),
            new InteropCase("ping_pong", AbstractInteropTest::pingPong),
            new InteropCase("empty_stream", AbstractInteropTest::emptyStream),
            new InteropCase("cancel_after_begin", AbstractInteropTest::cancelAfterBegin),
            new InteropCase("cancel_after_first_response", AbstractInteropTest::cancelAfterFirstResponse),
            new InteropCase("timeout_on_sleeping_server", AbstractInteropTest::timeoutOnSleepingServer),
            new InteropCase("custom_metadata", AbstractInteropTest::customMetadata),
            new InteropCase("status_code_and_message", AbstractInteropTest::statusCodeAndMessage),
            new InteropCase("special_status_message", AbstractInteropTest::specialStatusMessage),
            new InteropCase("unimplemented_method", AbstractInteropTest::unimplementedMethod),
            new InteropCase("unimplemented_service", AbstractInteropTest::unimplementedService));

    private final String goPeerTarget;
    private final io.grpc.ClientInterceptor goPeerSecret;
    private final Path goClient;
    private final PrintStream progress;

    /**
     * @param goPeer   the Go peer (it serves grpc-go's interop TestService); grpc-java's
     *                 client sends its secret, and only to it
     * @param goClient the grpc-interop-client command (built beside the peer); it dials
     *                 grpc-java's servers in this JVM, never the peer
     */
    public GrpcInteropSuite(PeerProcess goPeer, Path goClient, PrintStream progress) {
        this.goPeerTarget = goPeer.target();
        this.goPeerSecret = goPeer.secret().interceptor();
        this.goClient = goClient;
        this.progress = progress;
    }

    /** The grpc-interop-client command beside {@code peerBinary}, or -Dtestbed.grpcinterop.client. */
    public static Path defaultGoClient(Path peerBinary) {
        String p = System.getProperty("testbed.grpcinterop.client");
        return p == null || p.isBlank() ? peerBinary.resolveSibling("grpc-interop-client") : Path.of(p);
    }

    public SuiteResult run(Mode mode) {
        return run(Suite.Settings.all(mode));
    }

    /** Every case {@code settings} selects by name; a server no selected case needs is not started. */
    public SuiteResult run(Suite.Settings settings) {
        Predicate<String> chosen = settings.cases();
        List<CaseResult> cases = new ArrayList<>();
        List<InteropCase> javaToGo = CASES.stream().filter(c -> chosen.test(JAVA_TO_GO + c.name())).toList();
        List<InteropCase> goToJava = CASES.stream().filter(c -> chosen.test(GO_TO_JAVA + c.name())).toList();
        if (!javaToGo.isEmpty()) progress.println("  interop: grpc-java's interop client -> grpc-go's TestService in the peer at " + goPeerTarget);
        for (InteropCase c : javaToGo) cases.add(javaCase(JAVA_TO_GO + c.name(), c, goPeerTarget, Expectation.HOLDS));
        if (!goToJava.isEmpty()) {
            try (JavaInteropServer server = new JavaInteropServer(true)) {
                progress.println("  interop: grpc-go's interop client -> grpc-java's TestServiceImpl at " + server.target());
                for (InteropCase c : goToJava) cases.add(goCase(GO_TO_JAVA + c.name(), c.name(), server.target(), Expectation.HOLDS));
            } catch (RuntimeException | LinkageError e) {
                cases.add(CaseResult.error("interop_go_to_java", "grpc-go's interop client against grpc-java's interop server",
                        "grpc-java's interop server could not start: " + e, 0));
            }
        }
        boolean brokenGoClient = chosen.test(BROKEN_SERVER_GO_CLIENT);
        boolean brokenJavaClient = chosen.test(BROKEN_SERVER_JAVA_CLIENT);
        if (brokenGoClient || brokenJavaClient) {
            try (JavaInteropServer broken = new JavaInteropServer(false)) {
                progress.println("  interop: broken variant, a TestServiceImpl that does not echo metadata, at " + broken.target());
                if (brokenGoClient) cases.add(goCase(BROKEN_SERVER_GO_CLIENT, "custom_metadata", broken.target(), GO_CLIENT_SEES_NO_ECHO));
                if (brokenJavaClient) {
                    cases.add(javaCase(BROKEN_SERVER_JAVA_CLIENT, customMetadata(), broken.target(), JAVA_CLIENT_SEES_NO_ECHO));
                }
            } catch (RuntimeException | LinkageError e) {
                cases.add(CaseResult.error("interop_broken_server", "the broken variant's interop server",
                        "grpc-java's interop server could not start: " + e, 0));
            }
        }
        if (chosen.test(BROKEN_GO_SERVER_JAVA_CLIENT)) {
            progress.println("  interop: broken variant, the Go peer's TestService dropping the echo headers, at " + goPeerTarget);
            io.grpc.Metadata dropEcho = new io.grpc.Metadata();
            dropEcho.put(BROKEN_ECHO, "1");
            cases.add(javaCase(BROKEN_GO_SERVER_JAVA_CLIENT, customMetadata(), goPeerTarget, JAVA_CLIENT_SEES_NO_ECHO,
                    io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(dropEcho)));
        }
        return new SuiteResult(NAME, TITLE, cases);
    }

    private static final String JAVA_TO_GO = "interop_java_to_go_";
    private static final String GO_TO_JAVA = "interop_go_to_java_";
    private static final String BROKEN_SERVER_GO_CLIENT = "interop_broken_server_go_client_custom_metadata";
    private static final String BROKEN_SERVER_JAVA_CLIENT = "interop_broken_server_java_client_custom_metadata";
    private static final String BROKEN_GO_SERVER_JAVA_CLIENT = "interop_broken_go_server_java_client_custom_metadata";

    static InteropCase customMetadata() {
        return CASES.stream().filter(c -> c.name().equals("custom_metadata")).findFirst().orElseThrow();
    }

    /**
     * Runs one case of grpc-java's interop client on a virtual thread, bounded by {@link
     * #CASE_BOUND}, with a client of its own: as under JUnit, where every case gets a fresh
     * {@code setUp}, since the client's stream-tracer checks assume no earlier call.
     */
    CaseResult javaCase(String name, InteropCase c, String target, Expectation expectation, io.grpc.ClientInterceptor... extra) {
        progress.println("  interop/" + name);
        boolean goPeer = target.equals(goPeerTarget);
        boolean brokenGo = expectation.broken() && goPeer;
        String server = !expectation.broken() ? "grpc-go" : brokenGo ? "grpc-go (broken: echo headers dropped)" : "grpc-java (broken)";
        CaseSpec spec = new CaseSpec(name, "grpc-java's interop client runs " + c.name() + (!expectation.broken() ? " against grpc-go's TestService in the Go peer"
                : brokenGo ? " against the Go peer's TestService with the echo headers dropped (broken variant)"
                : " against a TestServiceImpl that does not echo metadata (broken variant)"), TrialCount.once(), expectation);
        long t0 = System.nanoTime();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicReference<JavaInteropClient> running = new AtomicReference<>();
        Thread t = Thread.ofVirtual().name("interop-" + c.name()).start(() -> {
            try (JavaInteropClient client = new JavaInteropClient(target, goPeer ? goPeerSecret : null, extra)) {
                running.set(client);
                c.java().run(client);
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        boolean ended;
        try {
            ended = t.join(CASE_BOUND);
            if (!ended) {
                // Stop it from outside: interrupt the thread and shut its channel down, then
                // wait (bounded) for the thread to end, so that no client outlives its case.
                t.interrupt();
                JavaInteropClient client = running.get();
                if (client != null) client.shutdownNow();
                boolean stopped = t.join(STOP_BOUND);
                String reason = "did not end within " + CASE_BOUND.toSeconds() + " s"
                        + (stopped ? "; stopped by shutting its channel down" : "; still running " + STOP_BOUND.toSeconds() + " s after its channel was shut down");
                return verdict(spec, reason, t0, "grpc-java", server);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CaseResult.error(name, spec.title(), "interrupted", ms(t0));
        }
        Throwable f = failure.get();
        return verdict(spec, f == null ? null : describe(f), t0, "grpc-java", server);
    }

    /** Runs one case of grpc-go's interop client command, bounded by {@link #CASE_BOUND}. */
    CaseResult goCase(String name, String interopCase, String target, Expectation expectation) {
        progress.println("  interop/" + name);
        boolean brokenVariant = expectation.broken();
        String title = "grpc-go's interop client runs " + interopCase + (brokenVariant ? " against a TestServiceImpl that does not echo metadata (broken variant)"
                : " against grpc-java's TestServiceImpl");
        CaseSpec spec = new CaseSpec(name, title, TrialCount.once(), expectation);
        long t0 = System.nanoTime();
        if (!Files.isExecutable(goClient)) {
            return CaseResult.error(name, title, "grpc-go's interop client " + goClient + " is missing: run 'make peer'", ms(t0));
        }
        ChildProcess.Result r;
        try {
            r = ChildProcess.of(goClient.toString(), "-server", target, "-case", interopCase, "-timeout", CASE_BOUND.toSeconds() + "s")
                    .mergeStderr().bound(CASE_BOUND.plusSeconds(5)).run();
        } catch (ChildProcess.StartFailed e) {
            return CaseResult.error(name, title, "cannot start " + goClient + ": " + e.reason(), ms(t0));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CaseResult.error(name, title, "interrupted", ms(t0));
        } catch (IOException e) {
            return CaseResult.error(name, title, "reading grpc-go's interop client: " + e, ms(t0));
        }
        if (r.timedOut()) {
            return verdict(spec, "did not end within " + (CASE_BOUND.toSeconds() + 5) + " s", t0, "grpc-go",
                    brokenVariant ? "grpc-java (broken)" : "grpc-java");
        }
        String out = r.out().strip();
        boolean passed = r.exitCode() == 0 && out.equals("PASS " + interopCase);
        String problem = passed ? null : "exit " + r.exitCode() + ": " + lastLine(out);
        return verdict(spec, problem, t0, "grpc-go", brokenVariant ? "grpc-java (broken)" : "grpc-java");
    }

    /**
     * The case's verdict ({@link Verdict}) on what the interop client said: {@code problem} is
     * its failed assertion or why it did not run to the end, null when it passed. A broken
     * variant is caught only by the assertion its expectation names; a refused connection, a
     * timeout or a class that would not load fails it as not caught, since that proves nothing
     * about the case.
     */
    static CaseResult verdict(CaseSpec spec, String problem, long t0, String client, String server) {
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("passed", problem == null ? 1 : 0);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("client", client);
        details.put("server", server);
        return Verdict.of(spec.expectation(), problem, client + " client -> " + server + " server: passed")
                .result(spec, ms(t0), metrics, details);
    }

    private static String describe(Throwable f) {
        String m = f.getMessage() == null ? "" : f.getMessage().strip();
        int nl = m.indexOf('\n');
        if (nl >= 0) m = m.substring(0, nl);
        return f.getClass().getSimpleName() + (m.isEmpty() ? "" : ": " + truncate(m));
    }

    private static String lastLine(String out) {
        if (out.isEmpty()) return "(no output)";
        String[] lines = out.split("\n");
        return truncate(lines[lines.length - 1].strip());
    }

    private static String truncate(String s) {
        return s.length() > 400 ? s.substring(0, 400) + "..." : s;
    }

    private static double ms(long t0) {
        return (System.nanoTime() - t0) / 1e6;
    }
}
