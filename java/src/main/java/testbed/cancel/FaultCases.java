package testbed.cancel;

import com.google.protobuf.CodedOutputStream;
import io.grpc.CallOptions;
import io.grpc.ClientInterceptors;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import testbed.peer.PeerClient;
import testbed.proto.v1.CancelServiceGrpc;
import testbed.proto.v1.ObserveResponse;
import testbed.proto.v1.WorkRequest;
import testbed.proto.v1.WorkStreamRequest;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static testbed.cancel.TrialChecks.LEAK_BOUND;
import static testbed.cancel.TrialChecks.spec;

/**
 * Faults beneath the call (docs/CANCELLATION.md): the peer killed mid-stream, the connection
 * reset by a loopback proxy, and request bytes that are no WorkRequest or too many of them.
 * Each must end with a clear status on the Java side within a bound, and the session's peer
 * must live on.
 */
final class FaultCases {
    /** The peer's death must reach the Java side within this long. */
    static final Duration PEER_DEATH_BOUND = Duration.ofSeconds(5);
    /** The Go peer's default limit on a received message (grpc-go's 4 MiB). */
    static final int PEER_MAX_RECEIVE = 4 * 1024 * 1024;
    /** Any status for bad input must reach Java within this long. */
    static final Duration BAD_INPUT_BOUND = Duration.ofSeconds(5);

    private final TrialChecks checks;
    private final CancelCalls calls;

    FaultCases(TrialChecks checks) {
        this.checks = checks;
        this.calls = checks.calls;
    }

    /** A second peer on a region of its own is killed while a Java virtual thread consumes its stream: UNAVAILABLE within the bound. */
    Trial peerKilledMidStream(String id) {
        try (SparePeer spare = new SparePeer()) {
            WorkStreamRequest req = WorkStreamRequest.newBuilder().setSpec(spec(id, 4).setTickIntervalMs(1)).build();
            CancelCalls.TickConsumer consumer = new CancelCalls.TickConsumer(spare.calls, id, req, () -> {});
            consumer.awaitFirstTick("the first tick from the peer to be killed");
            long t0 = System.nanoTime();
            spare.process.killNow();
            List<String> problems = new ArrayList<>();
            boolean ended = consumer.join(PEER_DEATH_BOUND);
            if (!ended) problems.add("the Java consumer still running " + PEER_DEATH_BOUND.toSeconds() + " s after the peer died");
            Status js = consumer.status();
            if (ended && js.getCode() != Status.Code.UNAVAILABLE) problems.add("Java saw " + js + ", want UNAVAILABLE");
            if (spare.process.isAlive()) problems.add("the killed peer is still alive");
            return Trial.saw(js.getCode().name(), "killed (SIGKILL)").latency(ended ? consumer.endNs() - t0 : Trial.NONE).problems(problems);
        }
    }

    /**
     * A server stream runs through a TCP proxy on loopback; after the first tick the proxy
     * resets both connections. Java must end with UNAVAILABLE, the Go handler must see its
     * context end (canceled) and stop every goroutine. Latency: the cut to the later of the
     * Java consumer ending and the last goroutine ending.
     */
    Trial connectionCutMidStream(String id) {
        return checks.throughProxy((proxy, viaProxy) -> {
            WorkStreamRequest req = WorkStreamRequest.newBuilder().setSpec(spec(id, 4).setTickIntervalMs(1)).build();
            CancelCalls.TickConsumer consumer = new CancelCalls.TickConsumer(viaProxy, id, req, () -> {});
            consumer.awaitFirstTick("the first tick through the proxy");
            long t0 = System.nanoTime();
            proxy.cut();
            List<String> problems = new ArrayList<>();
            if (!consumer.join(CancelCalls.CALL_BOUND.plusSeconds(2))) {
                problems.add("the Java consumer still running " + (CancelCalls.CALL_BOUND.toSeconds() + 2) + " s after the cut");
            }
            ObserveResponse o = calls.observe(id);
            Status js = consumer.status();
            if (js.getCode() != Status.Code.UNAVAILABLE) problems.add("Java saw " + js + ", want UNAVAILABLE");
            if (!o.getContextError().equals("canceled")) problems.add("Go saw '" + o.getContextError() + "', want canceled");
            return checks.finishTrial(id, o, js.getCode().name(), Math.max(consumer.endNs(), o.getLastStoppedNs()) - t0, problems);
        });
    }

    /**
     * A unary Work call whose request bytes are not a WorkRequest: Java must get INTERNAL with
     * a message that names the unmarshalling, within {@link #BAD_INPUT_BOUND}, no handler may
     * have run, and the peer must still answer.
     */
    Trial malformedRequestClearStatus(String id) {
        return badInput(id, malformed(id), Status.Code.INTERNAL, "unmarshal", "INTERNAL naming the unmarshalling");
    }

    /**
     * A WorkRequest larger than the peer's 4 MiB receive limit (padded to 5 MiB with an unknown
     * field): Java must get RESOURCE_EXHAUSTED naming the limit, within {@link #BAD_INPUT_BOUND},
     * no handler may have run, and the peer must still answer.
     */
    Trial oversizedRequestClearStatus(String id) {
        return badInput(id, oversized(id, PEER_MAX_RECEIVE + 1024 * 1024), Status.Code.RESOURCE_EXHAUSTED, "larger than max",
                "RESOURCE_EXHAUSTED naming the size limit");
    }

    /**
     * A valid WorkRequest for {@code id} followed by bytes that make the whole no protobuf
     * message: field 1 with wire type 7, which does not exist. Were it parsed anyway, the Go
     * handler would run for {@code id} and leave a record.
     */
    static byte[] malformed(String id) {
        byte[] valid = WorkRequest.newBuilder().setSpec(spec(id, 1)).build().toByteArray();
        byte[] out = Arrays.copyOf(valid, valid.length + 3);
        out[valid.length] = 0x0F;
        out[valid.length + 1] = 0x01;
        out[valid.length + 2] = 0x02;
        return out;
    }

    /**
     * A valid WorkRequest for {@code id} padded with an unknown length-delimited field (number
     * 15) to {@code size} bytes or more: within the 4 MiB limit the Go handler would run for
     * {@code id} (protobuf skips unknown fields).
     */
    static byte[] oversized(String id, int size) {
        var out = new ByteArrayOutputStream(size + 64);
        try {
            var cos = CodedOutputStream.newInstance(out);
            WorkRequest.newBuilder().setSpec(spec(id, 1)).build().writeTo(cos);
            cos.writeByteArray(15, new byte[size]);
            cos.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Sends {@code bytes} as a Work request; the status must be {@code want} naming {@code words}, and no handler may run for {@code id}. */
    private Trial badInput(String id, byte[] bytes, Status.Code want, String words, String wanted) {
        long t0 = System.nanoTime();
        Status js;
        try {
            ClientCalls.blockingUnaryCall(ClientInterceptors.intercept(calls.channel(), PeerClient.scopeHeader(id)), rawWork(),
                    CallOptions.DEFAULT.withDeadlineAfter(BAD_INPUT_BOUND.toMillis(), TimeUnit.MILLISECONDS), bytes);
            js = Status.OK;
        } catch (StatusRuntimeException e) {
            js = e.getStatus();
        }
        long latencyNs = System.nanoTime() - t0;
        List<String> problems = new ArrayList<>();
        if (js.getCode() != want || js.getDescription() == null || !js.getDescription().contains(words)) {
            problems.add("Java saw " + js + ", want " + wanted);
        }
        if (latencyNs > BAD_INPUT_BOUND.toNanos()) problems.add("the status took " + latencyNs / 1_000_000 + " ms, bound " + BAD_INPUT_BOUND.toMillis());
        Optional<ObserveResponse> ran = calls.observeIfStarted(id, TrialChecks.NEVER_STARTED_SETTLE);
        ran.ifPresent(o -> problems.add("a Go handler ran for the bad request (" + o.getRpc() + ", context '" + o.getContextError() + "')"));
        int alive = calls.goroutinesAfter(id, LEAK_BOUND);
        if (alive > 0) problems.add("leak: " + alive + " goroutine(s) of scope " + id + " after a bad request");
        String peer;
        try {
            calls.echoNanos();
            peer = "peer still answers";
        } catch (RuntimeException e) {
            problems.add("the peer no longer answers after the bad input: " + e.getMessage());
            peer = "peer does not answer";
        }
        String saw = js.getCode().name() + (js.getDescription() == null ? "" : ": " + firstWords(js.getDescription()));
        return Trial.saw(saw, (ran.isPresent() ? "a handler ran" : "no handler ran") + "; " + peer)
                .latency(latencyNs).measuring("request_to_status").leaked(alive).problems(problems);
    }

    private static String firstWords(String s) {
        String t = s.replaceAll("[0-9]+", "N");
        return t.length() > 60 ? t.substring(0, 60) + "..." : t;
    }

    /** CancelService.Work with the request and response as raw bytes, so that a case can send bytes no WorkRequest is. */
    private static MethodDescriptor<byte[], byte[]> rawWork() {
        return MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(CancelServiceGrpc.getWorkMethod().getFullMethodName())
                .setRequestMarshaller(RAW).setResponseMarshaller(RAW).build();
    }

    private static final MethodDescriptor.Marshaller<byte[]> RAW = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };
}
