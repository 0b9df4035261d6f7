package testbed.litmus.engine;

import testbed.litmus.runtime.GuestKernel;
import testbed.guest.GuestRuntime;
import testbed.harness.Session;
import testbed.litmus.ActorSpec;
import testbed.litmus.runtime.ActorResult;
import testbed.litmus.runtime.JavaActor;
import testbed.litmus.runtime.LitmusSection;
import testbed.litmus.runtime.NativeActors;
import testbed.proto.v1.RunLitmusActorRequest;
import testbed.proto.v1.RunLitmusActorResponse;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Starts one actor of a test, with its generated kernel, in its runtime: the one way the runner
 * launches any actor. Each runtime has one launcher; every launcher checks the actor against the
 * section (the kernel's locations fit an instance, its registers its record) and starts it on
 * the test's generation, and what it returns is waited for and cleaned up the same way.
 */
interface ActorLauncher {

    /** Starts actor {@code index}; throws (IllegalArgumentException, IllegalStateException) with the reason it cannot. */
    RunningActor start(int index, ActorSpec a, long generation, Budget budget);

    /** The label messages name an actor by: index, runtime and what its kernel does. */
    static String label(int index, ActorSpec a) {
        return "a" + index + " (" + a.runtime().label() + " {" + a.actual().text() + "})";
    }

    /** A Java actor: the plan's hidden class, in the Java actor loop. */
    record Java(LitmusSection section) implements ActorLauncher {
        @Override
        public RunningActor start(int index, ActorSpec a, long generation, Budget budget) {
            JavaActor actor = JavaActor.start(section, index, a.actual(), generation, budget.stall());
            return new RunningActor(label(index, a)) {
                @Override ActorResult await(Duration bound) { return actor.join(bound); }
                @Override void abandon() { actor.join(Duration.ofSeconds(5)); }
            };
        }
    }

    /** A C actor: the plan's function in the group's library, in the shim's actor loop. */
    record C(LitmusSection section, NativeActors actors, LitmusRunner.CKernels kernels) implements ActorLauncher {
        @Override
        public RunningActor start(int index, ActorSpec a, long generation, Budget budget) {
            long handle = actors.startCompiled(section, index, kernels.address(a.actual()), a.registers(),
                    a.actual().locationBytes(), generation, budget.stall());
            return new RunningActor(label(index, a)) {
                boolean joined;
                @Override ActorResult await(Duration bound) {
                    ActorResult r = actors.join(handle, bound);
                    joined = r != null;
                    return r;
                }
                @Override void abandon() { if (!joined) actors.join(handle, Duration.ofSeconds(5)); }
            };
        }
    }

    /**
     * A Go actor: the plan's function in the peer (built with the run's Go kernels), asked for by
     * name over RunLitmusActor; {@code refusal} is why the peer has none (its build failed), or null.
     */
    record Go(Session session, String refusal, Duration startBound) implements ActorLauncher {
        @Override
        public RunningActor start(int index, ActorSpec a, long generation, Budget budget) {
            if (refusal != null) throw new IllegalStateException("the Go kernels were not built: " + refusal);
            RunLitmusActorRequest req = RunLitmusActorRequest.newBuilder()
                    .setActor(index).setKernel(a.actual().id()).setGeneration(generation)
                    .setStallTimeoutMs((int) budget.stall().toMillis()).build();
            Duration deadline = budget.run().plus(budget.stall()).plus(startBound).plusSeconds(10);
            CompletableFuture<RunLitmusActorResponse> call = CompletableFuture.supplyAsync(
                    () -> session.peer().runLitmusActor(req, deadline),
                    r -> Thread.ofPlatform().daemon().name("litmus-go-call-" + index).start(r));
            return new RunningActor(label(index, a)) {
                @Override String earlyFailure() {
                    if (!call.isCompletedExceptionally()) return null;
                    try {
                        call.join();
                        return null;
                    } catch (RuntimeException e) {
                        return e.getCause() == null ? e.getMessage() : e.getCause().getMessage();
                    }
                }
                @Override ActorResult await(Duration bound) {
                    try {
                        RunLitmusActorResponse r = call.get(bound.toMillis(), TimeUnit.MILLISECONDS);
                        return new ActorResult(r.getRounds(), r.getRoundsConsumed(), r.getAborted() ? ActorResult.ABORT_WORD : ActorResult.COMPLETED,
                                r.getAbortReason(), r.getElapsedNs());
                    } catch (ExecutionException e) {
                        return new ActorResult(0, 0, ActorResult.ABORT_WORD, e.getCause().getMessage(), 0);
                    } catch (TimeoutException e) {
                        return null;
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return null;
                    }
                }
                @Override void abandon() { }
            };
        }
    }

    /**
     * A guest actor: the plan's JavaScript (or {@code source}'s, which a test gives) in the Java
     * actor loop, on the actor's own thread, in a context of its own made there (docs/GUEST.md).
     */
    record Guest(LitmusSection section, GuestRuntime guest, Function<ActorSpec, String> source) implements ActorLauncher {
        @Override
        public RunningActor start(int index, ActorSpec a, long generation, Budget budget) {
            GuestKernel k = source == null
                    ? new GuestKernel(guest, a.actual(), section)
                    : new GuestKernel(guest, a.actual(), section, source.apply(a));
            JavaActor actor = JavaActor.start(section, index, k.name(), k, a.registers(), a.actual().locationBytes(), generation, budget.stall());
            return new RunningActor(label(index, a)) {
                @Override String earlyFailure() {
                    return actor.isAlive() ? null : guestFailure(actor);
                }
                @Override ActorResult await(Duration bound) {
                    try {
                        return actor.join(bound);
                    } catch (IllegalStateException e) {
                        return new ActorResult(0, 0, ActorResult.ABORT_WORD, guestFailure(actor), 0);
                    }
                }
                @Override void abandon() {
                    try {
                        // A guest still inside its kernel after the abort is cancelled.
                        if (actor.join(Duration.ofSeconds(5)) == null && actor.isAlive()) {
                            k.cancel();
                            actor.join(Duration.ofSeconds(5));
                        }
                    } catch (IllegalStateException e) {
                        // Its failure was reported (or is being) with the case; here it only has to be gone.
                    }
                }
            };
        }

        /** A guest actor's failure in the guest's own words, or null if it did not fail. */
        private static String guestFailure(JavaActor actor) {
            try {
                actor.join(Duration.ZERO);
                return null;
            } catch (IllegalStateException e) {
                return GuestRuntime.message(e.getCause() == null ? e : e.getCause());
            }
        }
    }
}
