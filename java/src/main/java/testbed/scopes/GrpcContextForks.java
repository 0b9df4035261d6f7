package testbed.scopes;

import io.grpc.Context;

import java.util.concurrent.Callable;
import java.util.concurrent.StructuredTaskScope;

/**
 * Forks that carry the owner's gRPC {@link Context}.
 *
 * <p>grpc-java keeps the current {@code Context} in a ThreadLocal, and a
 * {@code StructuredTaskScope} fork runs on a new thread that does not inherit it: a
 * deadline or a cancellation attached around the scope does not reach the calls its
 * subtasks make (case {@code context_lost_across_forks}). {@link #fork} captures the
 * context current in the thread that forks (the scope's owner) and runs the subtask
 * inside it, so every call the subtask makes carries the owner's deadline as
 * {@code grpc-timeout} and is cancelled with the owner's context (case
 * {@code context_propagated_across_forks}).
 *
 * <p>Why a wrapper rather than a {@code ContextStorageOverride} backed by a
 * {@code ScopedValue}: the override is process-wide (every suite and library in the JVM
 * would switch storage), and {@code Context.attach} sets the current context imperatively,
 * which a {@code ScopedValue} cannot do, so such a storage still needs a ThreadLocal
 * beside it. The wrapper changes only the forks that ask for it.
 */
public final class GrpcContextForks {
    private GrpcContextForks() {}

    /** {@code scope.fork(task)}, with {@code task} run inside the gRPC Context current in the calling thread. */
    public static <T, U extends T> StructuredTaskScope.Subtask<U> fork(StructuredTaskScope<T, ?> scope, Callable<? extends U> task) {
        Callable<? extends U> wrapped = Context.current().wrap(task);
        return scope.fork(wrapped);
    }
}
