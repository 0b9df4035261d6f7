package testbed.scopes;

import testbed.harness.CaseTrials;
import testbed.proto.v1.CallRecord;
import testbed.proto.v1.EndScopeResponse;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * What a scope left behind, counted in each runtime after close(), and a case's figures over
 * its trials. A leftover is whatever still runs {@link #LEAK_BOUND} after close() returned:
 * in Go, the goroutines the peer counts under the scope id (EndScope) and the peer's whole
 * goroutine count against the one before the scope opened; in Java, the threads of the
 * scope's containers and the threads started since ({@link JavaThreads}); in C, the shim's
 * live workers (and, where goroutines start them, the peer's). A problem that is a leftover
 * begins {@link CaseTrials#LEAK}, so that it heads a trial's message.
 */
final class Leftovers {
    /** Leftovers are whatever still runs this long after close() returned. */
    static final Duration LEAK_BOUND = Duration.ofSeconds(1);
    /** How a problem with the Go process's total goroutine count begins. */
    static final String GO_PROCESS_GREW = "the Go peer's process grew";

    private Leftovers() {}

    /**
     * Counts each runtime's leftovers after the close() {@code r} recorded and how long the
     * last remote child outlived it; {@code before} is the thread dump taken when the scope
     * opened, {@code fault} what broke the scenario (null: nothing).
     */
    static Trial measure(Run r, JavaThreads before, Exception fault) {
        var session = r.session();
        List<String> problems = new ArrayList<>(r.problems);
        long leakDeadline = r.closedNs + LEAK_BOUND.toNanos();
        int peerAtClose = r.peerNatives ? r.calls.peerNative(false).getAlive() : 0;
        int cAtClose = session.panama().workersAlive() + peerAtClose;
        // C: polled on a thread of its own from now on, while EndScope waits for Go, so that the
        // instant the count reached zero is seen when it happens; both are bounded by
        // LEAK_BOUND after close(), not after the call.
        long[] cZero = {cAtClose == 0 ? r.closedNs : 0};
        int[] cLeftBox = {cAtClose, peerAtClose};
        ScopeCalls peerCalls = r.calls;
        Thread cPoll = Thread.ofVirtual().name("scopes-c-poll-" + r.scopeId).start(() -> {
            // The shim's workers in this process, plus (with peerNatives) those goroutines
            // started in the peer's, from the peer: both are native workers the scope caused.
            int peer = r.peerNatives ? peerCalls.peerNative(false).getAlive() : 0;
            int n = session.panama().workersAlive() + peer;
            while (n > 0 && System.nanoTime() < leakDeadline) {
                LockSupport.parkNanos(r.peerNatives ? 500_000 : 50_000);
                peer = r.peerNatives ? peerCalls.peerNative(false).getAlive() : 0;
                n = session.panama().workersAlive() + peer;
                if (n == 0) cZero[0] = System.nanoTime();
            }
            cLeftBox[0] = n;
            cLeftBox[1] = peer;
        });
        // Go: EndScope on the peer the scope's calls went to. When no call of the scope could be
        // counted there (the peer was killed, the calls carried another id), the scope id is
        // closed on the main peer and the Go count is n/a, not a 0 that could never be anything else.
        EndScopeResponse g;
        if (r.killedPeer != null && r.killedPeer.isAlive()) problems.add("the killed peer is still alive");
        if (r.goNotCounted != null) {
            r.harnessCalls().end(r.scopeId, Duration.ZERO);
            g = EndScopeResponse.getDefaultInstance();
        } else {
            g = r.calls.end(r.scopeId, Duration.ofNanos(Math.max(0, leakDeadline - System.nanoTime())));
            if (!g.getKnown()) problems.add("the peer no longer knew scope " + r.scopeId + " at its end");
        }
        try {
            if (!cPoll.join(LEAK_BOUND.plusSeconds(5))) throw new IllegalStateException("the native worker poll did not end");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while counting native workers", e);
        }
        long cZeroNs = cZero[0];
        int cLeft = cLeftBox[0];
        int peerCLeft = cLeftBox[1];
        // Java: leftovers are what is still there LEAK_BOUND after close(), as in Go and C.
        JavaThreads after = JavaThreads.snapshot();
        List<JavaThreads.ThreadEntry> javaLeft = after.leftovers(before, r.scopeId);
        while (!javaLeft.isEmpty() && System.nanoTime() < leakDeadline) {
            Run.sleepQuietly(20);
            after = JavaThreads.snapshot();
            javaLeft = after.leftovers(before, r.scopeId);
        }

        // How long the last remote child outlived close(): Go handlers' returns, the scope's
        // goroutine count reaching zero when EndScope still saw some, native workers likewise.
        long last = Long.MIN_VALUE;
        long peerNativeEnd = Long.MIN_VALUE;
        for (CallRecord c : g.getCallsList()) if (c.getNativeEndedNs() != 0) peerNativeEnd = Math.max(peerNativeEnd, c.getNativeEndedNs());
        for (CallRecord c : g.getCallsList()) last = Math.max(last, Math.max(c.getEndedNs(), c.getNativeEndedNs()));
        if (g.getLiveAtCall() > 0) last = Math.max(last, g.getLiveZeroNs() != 0 ? g.getLiveZeroNs() : g.getMonotonicNs());
        if (cAtClose > 0) last = Math.max(last, cZeroNs != 0 ? cZeroNs : System.nanoTime());
        long outlive = last == Long.MIN_VALUE ? 0 : Math.max(0, last - r.closedNs);

        Map<String, CallRecord> byId = new LinkedHashMap<>();
        for (CallRecord c : g.getCallsList()) byId.put(c.getCallId(), c);
        // A handler files its call's record when it returns: a call of the trial that has none
        // had not returned at EndScope, or never reached the peer (then the counts below differ).
        List<String> neverReturned = new ArrayList<>();
        if (r.killedPeer == null && r.goNotCounted == null) {
            // Sorted, so that a message does not depend on the order in which the subtasks started.
            Set<String> made = new TreeSet<>(r.goroutinesStarted.keySet());
            synchronized (r.expectedEnds) {
                made.addAll(r.expectedEnds.keySet());
            }
            for (String id : made) if (!byId.containsKey(id)) neverReturned.add(id);
            if (neverReturned.size() != g.getCallsRunning()) neverReturned.clear(); // cannot tell which are running
        }
        if (g.getCallsRunning() > 0 && g.getLive() > 0) {
            problems.add(neverReturnedLeak(r, g, neverReturned));
        } else {
            if (g.getLive() > 0) {
                problems.add(String.format(Locale.ROOT, "leak: %d goroutine(s) of scope %s still running %d ms after close()",
                        g.getLive(), r.scopeId, LEAK_BOUND.toMillis()));
            }
            if (g.getCallsRunning() > 0) problems.add(g.getCallsRunning() + " Go handler(s) of the scope had not returned at its end");
        }
        if (!javaLeft.isEmpty()) {
            problems.add("leak: " + javaLeft.size() + " Java thread(s) outlived the scope: " + JavaThreads.describe(javaLeft));
        }
        if (cAtClose > 0) {
            problems.add(cAtClose + " native worker(s) still running when close() returned" + (peerAtClose > 0 ? " (" + peerAtClose + " in the Go peer)" : "")
                    + ": a subtask or a goroutine returned without ending the workers it started");
        }
        if (cLeft > 0) problems.add("leak: " + cLeft + " native worker(s) alive " + LEAK_BOUND.toMillis() + " ms after close()"
                + (peerCLeft > 0 ? " (" + peerCLeft + " in the Go peer, started by a goroutine)" : ""));

        if (r.killedPeer == null) {
            r.expectedEnds.forEach((id, want) -> {
                CallRecord c = byId.get(id);
                if (c == null && neverReturned.contains(id)) return; // its leak says why
                if (c == null) problems.add("no Go record of call " + id);
                else if (!c.getEnd().equals(want)) problems.add("Go call " + id + " ended " + c.getEnd() + " (" + c.getCauseText() + "), want " + want);
            });
        }
        for (CallRecord c : g.getCallsList()) {
            if (c.getGoroutinesStopped() != c.getGoroutinesStarted()) {
                problems.add("Go call " + c.getCallId() + ": " + c.getGoroutinesStopped() + " of " + c.getGoroutinesStarted() + " goroutines stopped");
            }
            if (r.structured && c.getEndedNs() > r.closedNs) {
                problems.add(String.format(Locale.ROOT, "Go handler of call %s returned %.1f us after close() returned",
                        c.getCallId(), (c.getEndedNs() - r.closedNs) / 1e3));
            }
        }
        r.expectedNativeStop.forEach((id, want) -> {
            String got = r.nativeStoppedBy.get(id);
            if (!want.equals(got)) problems.add("native workers of " + id + " stopped by " + got + ", want " + want);
        });
        // A record check reports through r.problem, after this trial's problems were copied: take what it adds.
        int reportedBefore = r.problems.size();
        for (Consumer<List<CallRecord>> check : r.recordChecks) check.accept(g.getCallsList());
        problems.addAll(r.problems.subList(reportedBefore, r.problems.size()));
        // The peer's whole process: a goroutine the scope caused but that is not labelled with
        // it (work handed to an unlabelled pool) shows only here. Settled like the others:
        // polled until it is back to what it was, or LEAK_BOUND after close.
        int goTotalAfter = session.peer().inspect(List.of()).getGoroutinesTotal();
        while (goTotalAfter > r.goTotalBefore && System.nanoTime() < leakDeadline) {
            Run.sleepQuietly(10);
            goTotalAfter = session.peer().inspect(List.of()).getGoroutinesTotal();
        }
        if (goTotalAfter > r.goTotalBefore) {
            problems.add(String.format(Locale.ROOT, "%s: %d goroutine(s) more than before the scope opened (%d, were %d) %d ms after close()",
                    GO_PROCESS_GREW, goTotalAfter - r.goTotalBefore, goTotalAfter, r.goTotalBefore, LEAK_BOUND.toMillis()));
        }
        boolean goCounted = r.goNotCounted == null;
        return new Trial.Builder()
                .goLeft(goCounted ? g.getLive() : null)
                .goAtEndScope(goCounted ? g.getLiveAtCall() : null)
                .goNotCounted(r.goNotCounted)
                .goTotalBefore(r.goTotalBefore)
                .goTotalAfter(goTotalAfter)
                .records(g.getCallsList())
                .javaSaw(r.javaSaw)
                .javaLeft(javaLeft.size())
                .javaLeftNames(JavaThreads.describe(javaLeft))
                .infraThreads(after.newNotLeftoverSince(before, r.scopeId))
                .cLeft(cLeft)
                .cAtClose(cAtClose)
                .nativeStoppedBy(r.nativeStoppedBy)
                .outliveNs(outlive)
                .lastRemoteEndNs(last == Long.MIN_VALUE ? 0 : last - r.closedNs)
                .peerNativeEndNs(peerNativeEnd == Long.MIN_VALUE ? null : peerNativeEnd - r.closedNs)
                .problems(problems)
                .fault(fault)
                .build();
    }

    /**
     * The leak of handlers that had not returned {@link #LEAK_BOUND} after close(), the worst a
     * scope can leave in Go: its goroutines never ended either. The peer counts every goroutine
     * labelled with the scope: each running handler itself and the goroutines of its errgroup
     * (as many as HoldStarted said it started, nested ones included), and whatever else the
     * scope started. The line names the handlers (the trial's calls without a record, when they
     * are as many as the peer says are running) and splits the count that way, so that its
     * numbers add up; when it cannot tell, it gives the two counts alone.
     */
    private static String neverReturnedLeak(Run r, EndScopeResponse g, List<String> neverReturned) {
        int running = g.getCallsRunning();
        String who = neverReturned.size() != running ? running + " Go handler(s) of the scope"
                : running == 1 ? "the Go handler of call " + neverReturned.getFirst()
                : "the Go handlers of calls " + String.join(", ", neverReturned);
        String line = String.format(Locale.ROOT, "leak: %s never returned after close(): %d goroutine(s) of scope %s still running %d ms after it",
                who, g.getLive(), r.scopeId, LEAK_BOUND.toMillis());
        if (neverReturned.size() != running || !r.goroutinesStarted.keySet().containsAll(neverReturned)) return line;
        int errgroups = 0;
        for (String id : neverReturned) errgroups += r.goroutinesStarted.get(id);
        String handlers = running == 1 ? "the handler" : "the " + running + " handlers";
        String theirs = running == 1 ? "its errgroup" : "their errgroups";
        int rest = g.getLive() - running;
        if (rest == errgroups) return line + String.format(Locale.ROOT, ": %s and the %d goroutine(s) of %s", handlers, errgroups, theirs);
        if (rest > errgroups) {
            return line + String.format(Locale.ROOT, ": %s, the %d goroutine(s) of %s and %d other(s)", handlers, errgroups, theirs, rest - errgroups);
        }
        // Some goroutines of the errgroups ended (one that failed, one whose own work succeeded).
        return line + String.format(Locale.ROOT, ": %s and %d of the %d goroutine(s) %s started", handlers, Math.max(rest, 0), errgroups, theirs);
    }

    /**
     * A case's figures over its trials: the report's metrics and tables, and one line ("what
     * the owner saw; leftovers go G, java J, c C; how long the last remote child outlived
     * close()") that a passing case reports and a broken variant that was not caught gives as
     * what it saw instead.
     */
    record Figures(Map<String, Object> metrics, Map<String, Object> details, String line) {}

    /** The figures of {@code trials} (those run so far, at least one), stopped where {@code run} says. */
    static Figures figures(List<Trial> trials, CaseTrials run) {
        Integer goLeft = null, goAtEnd = null;
        int javaLeft = 0, cLeft = 0, cAtClose = 0, infra = 0;
        long outliveMax = 0;
        long outliveSum = 0;
        Map<String, Integer> saw = new LinkedHashMap<>();
        for (Trial t : trials) {
            if (t.goLeft != null) goLeft = goLeft == null ? t.goLeft : Math.max(goLeft, t.goLeft);
            javaLeft = Math.max(javaLeft, t.javaLeft);
            cLeft = Math.max(cLeft, t.cLeft);
            if (t.goAtEndScope != null) goAtEnd = goAtEnd == null ? t.goAtEndScope : Math.max(goAtEnd, t.goAtEndScope);
            cAtClose = Math.max(cAtClose, t.cAtClose);
            infra = Math.max(infra, t.infraThreads);
            outliveMax = Math.max(outliveMax, t.outliveNs);
            outliveSum += t.outliveNs;
            saw.merge(t.javaSaw, 1, Integer::sum);
        }
        Trial last = trials.getLast();
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("trials", trials.size());
        run.putMetrics(metrics);
        metrics.put("go_leftover_goroutines", goLeft);
        metrics.put("java_leftover_threads", javaLeft);
        metrics.put("c_leftover_workers", cLeft);
        metrics.put("go_goroutines_at_end_scope", goAtEnd);
        metrics.put("c_workers_at_close", cAtClose);
        metrics.put("outlive_max_us", outliveMax / 1e3);
        metrics.put("outlive_mean_us", outliveSum / 1e3 / trials.size());
        metrics.put("last_remote_end_vs_close_us", last.lastRemoteEndNs / 1e3);
        metrics.put("java_new_threads_not_leftovers", infra);
        if (last.peerNativeEndNs != null) metrics.put("peer_native_last_end_vs_close_us", last.peerNativeEndNs / 1e3);
        metrics.put("go_goroutines_total_before", last.goTotalBefore);
        metrics.put("go_goroutines_total_after", last.goTotalAfter);

        Map<String, Object> details = new LinkedHashMap<>();
        details.put("leftovers", List.of(
                row("runtime", "go", "leftover", goLeft, "how", "goroutines labelled with the scope id, " + LEAK_BOUND.toMillis() + " ms after close (EndScope)"),
                row("runtime", "java", "leftover", javaLeft, "how", "threads in the scope's containers, in containers made since it opened, new in the root container, or busy in a pool since (JSON thread dump)"),
                row("runtime", "c", "leftover", cLeft, "how", "interop_workers_alive (in the JVM, plus in the Go peer where goroutines start workers), " + LEAK_BOUND.toMillis() + " ms after close")));
        List<Map<String, Object>> callRows = new ArrayList<>();
        for (CallRecord c : last.records) {
            callRows.add(row("call", c.getCallId(), "rpc", c.getRpc(), "go_end", c.getEnd(),
                    "goroutines", c.getGoroutinesStopped() + "/" + c.getGoroutinesStarted(),
                    "deadline_ms", c.getDeadlineRemainingMs(),
                    "native_stopped_by", c.getNativeWorkersStarted() > 0
                            ? (c.getNativeEndedNs() == 0 ? "not stopped by its goroutine" : c.getNativeStoppedByFlag() ? "its goroutine, by the flag" : "its goroutine, after a join timeout")
                            : last.nativeStoppedBy.getOrDefault(c.getCallId(), "-")));
        }
        details.put("calls", callRows);
        List<Map<String, Object>> observed = new ArrayList<>();
        saw.forEach((k, v) -> observed.add(row("java_saw", k, "count", v)));
        details.put("observed", observed);
        if (!last.javaLeftNames.isEmpty()) details.put("java_leftover_threads", last.javaLeftNames);

        // What the owner saw leads the line; a trial whose scenario said nothing adds nothing.
        String sawLine = String.join(", ", saw.keySet().stream().filter(k -> !k.isEmpty()).toList());
        String line = (sawLine.isEmpty() ? "" : sawLine + "; ") + String.format(Locale.ROOT, "leftovers go %s, java %d, c %d; %s",
                goLeft == null ? "n/a (" + last.goNotCounted + ")" : goLeft.toString(), javaLeft, cLeft, outliveMax == 0
                        ? "nothing outlived close()" + (last.lastRemoteEndNs < 0
                                ? String.format(Locale.ROOT, " (last remote child ended %.1f us before it)", -last.lastRemoteEndNs / 1e3) : "")
                        : String.format(Locale.ROOT, "the last remote child outlived close() by %.1f us (max over %d trial(s))", outliveMax / 1e3, trials.size()));
        return new Figures(metrics, details, line);
    }

    /** The counts a trial took after its scenario broke, for the ERROR message: "leftovers go G, java J, c C" and its problems. */
    static String countsAfterFault(Trial t) {
        return String.format(Locale.ROOT, "leftovers go %s, java %d, c %d%s",
                t.goLeft == null ? "n/a" : t.goLeft.toString(), t.javaLeft, t.cLeft,
                t.problems.isEmpty() ? "" : "; " + String.join("; ", CaseTrials.worstFirst(t.problems)));
    }

    private static Map<String, Object> row(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }
}
