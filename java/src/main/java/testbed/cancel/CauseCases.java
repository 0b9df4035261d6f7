package testbed.cancel;

import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import testbed.peer.PeerClient;
import testbed.proto.v1.CancelCause;
import testbed.proto.v1.CancelNotice;
import testbed.proto.v1.CollectRequest;
import testbed.proto.v1.ObserveResponse;

import java.util.ArrayList;
import java.util.List;

import static testbed.cancel.TrialChecks.describe;
import static testbed.cancel.TrialChecks.spec;
import static testbed.cancel.TrialChecks.text;

/**
 * Whether a cancel's cause crosses the wire (docs/PROTOCOL.md, "The cause protocol"): intact
 * when the protocol's {@link CancelNotice} or the Go side's ErrorInfo carries it, reported lost
 * when plain gRPC does. The plain cancels are {@link StreamCancelCases}' bodies, asserting
 * the loss.
 */
final class CauseCases {
    private final TrialChecks checks;
    private final CancelCalls calls;
    private final StreamCancelCases streams;

    CauseCases(TrialChecks checks, StreamCancelCases streams) {
        this.checks = checks;
        this.calls = checks.calls;
        this.streams = streams;
    }

    /** Java to Go with the protocol on a bidi stream: CancelNotice, then the Go side's cause and the echoed ErrorInfo. */
    Trial causeInBandJavaToGo(String id) {
        CancelCause cause = TrialChecks.javaCause(id);
        CancelCalls.Converse c = CancelCalls.Converse.start(calls.async(id), spec(id, 4).build());
        c.awaitFirstTick();
        long t0 = System.nanoTime();
        c.sendNotice(cause, t0);
        Status js = c.awaitEnd();
        ObserveResponse o = calls.observe(id);
        List<String> problems = new ArrayList<>();
        if (js.getCode() != Status.Code.CANCELLED) problems.add("Java saw " + js + ", want CANCELLED");
        ErrorInfo echoed = PeerClient.errorInfo(c.endError()).orElse(null);
        if (!CancelCalls.sameCause(echoed, cause)) {
            problems.add("Java's status details hold " + echoed + ", want the cause " + text(cause) + " echoed intact as ErrorInfo");
        }
        if (!o.getContextError().equals("canceled")) problems.add("Go saw '" + o.getContextError() + "', want canceled");
        if (!o.getCause().equals(cause)) problems.add("Go's context.Cause holds " + describe(o) + ", want " + text(cause));
        return checks.finishTrial(id, o, js.getCode() + ", ErrorInfo " + (echoed == null ? "none" : echoed.getReason()),
                o.getLastStoppedNs() - t0, problems);
    }

    /** Java calls ClientCall.cancel(message, cause) on a bidi stream of 2 goroutines; the Go handler must see only context.Canceled. */
    Trial causeLostPlainGrpcJavaToGo(String id) {
        return streams.javaCancelsBidi(id, 2, true, null);
    }

    /** The Go handler cancels a server stream with a cause; Java, reading it with a blocking iterator, gets it as ErrorInfo. */
    Trial causeErrorInfoGoToJava(String id) {
        return streams.goCancelsServerStream(id, false, StreamConsumer.BLOCKING_ITERATOR, null);
    }

    /** The Go handler cancels with a cause but ends as plain gRPC does; Java must get CANCELLED and no cause. */
    Trial causeLostPlainGrpcGoToJava(String id) {
        return streams.goCancelsServerStream(id, true, StreamConsumer.BLOCKING_ITERATOR, null);
    }

    /** The cause protocol on a client stream: a CancelNotice after 3 chunks; the Go handler's context.Cause holds it. */
    Trial causeInBandClientStreaming(String id) {
        CancelCause cause = TrialChecks.javaCause(id);
        CancelCalls.Collect c = new CancelCalls.Collect(calls.async(id), spec(id, 4).build(), 3);
        checks.awaitGoroutines(id, 4);
        long t0 = System.nanoTime();
        c.requests.onNext(CollectRequest.newBuilder().setCancel(CancelNotice.newBuilder().setCause(cause).setCancelledAtNs(t0)).build());
        c.requests.onCompleted();
        Status js = c.awaitEnd();
        ObserveResponse o = calls.observe(id);
        List<String> problems = new ArrayList<>();
        if (js.getCode() != Status.Code.CANCELLED) problems.add("Java saw " + js + ", want CANCELLED");
        ErrorInfo echoed = PeerClient.errorInfo(c.ended.getNow(null)).orElse(null);
        if (!CancelCalls.sameCause(echoed, cause)) problems.add("Java's status details hold " + echoed + ", want the cause " + text(cause) + " echoed intact");
        if (!o.getCause().equals(cause)) problems.add("Go's context.Cause holds " + describe(o) + ", want " + text(cause));
        return checks.finishTrial(id, o, js.getCode() + ", ErrorInfo " + (echoed == null ? "none" : echoed.getReason()), o.getLastStoppedNs() - t0, problems);
    }
}
