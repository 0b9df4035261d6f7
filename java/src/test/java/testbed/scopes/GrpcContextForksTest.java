package testbed.scopes;

import io.grpc.Context;
import io.grpc.Deadline;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.StructuredTaskScope;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class GrpcContextForksTest {

    /** A plain fork runs in the root Context; a GrpcContextForks fork runs in the owner's, deadline and cancellation included. */
    @Test
    void onlyTheWrappedForkSeesTheOwnersContext() throws Exception {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        Context.CancellableContext ctx = Context.current().withDeadline(Deadline.after(5, TimeUnit.SECONDS), timer);
        try {
            ctx.call(() -> {
                try (var scope = StructuredTaskScope.open(StructuredTaskScope.Joiner.<Object>awaitAll())) {
                    var plain = scope.fork(() -> Context.current().getDeadline());
                    var wrapped = GrpcContextForks.fork(scope, () -> Context.current().getDeadline());
                    var cancellable = GrpcContextForks.fork(scope, () -> {
                        Context.current().addListener(c -> { }, Runnable::run);
                        return Context.current();
                    });
                    scope.join();
                    assertNull(plain.get(), "a plain fork does not inherit the owner's Context");
                    assertSame(ctx.getDeadline(), wrapped.get(), "the wrapped fork carries the owner's deadline");
                    ctx.cancel(null);
                    assertTrue(((Context) cancellable.get()).isCancelled(), "and is cancelled with it");
                }
                return null;
            });
        } finally {
            ctx.cancel(null);
            timer.shutdownNow();
            assertTrue(timer.awaitTermination(5, TimeUnit.SECONDS));
        }
        assertEquals(Context.ROOT, Context.current());
    }
}
