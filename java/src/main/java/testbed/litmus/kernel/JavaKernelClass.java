package testbed.litmus.kernel;

import testbed.litmus.ActorRuntime;
import testbed.litmus.runtime.JavaKernel;

import java.io.IOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.Label;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.MethodTypeDesc;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.AccessFlag;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Java kernels generated from a {@link KernelPlan} as bytecode, with the JDK's
 * {@code java.lang.classfile} API, and defined as hidden classes.
 *
 * <p>Each kernel is one class implementing {@link JavaKernel} whose {@code run} holds the loop
 * over the round's instances; every access is a call of a {@code static final VarHandle} (a
 * constant to the JIT) with its access mode written at the call site, so the JIT compiles
 * exactly the instructions of that mode, as javac would compile
 * {@code LONG.setRelease(KernelMemory.ALL, loc + 8, 1L)}. The accesses go through
 * {@link KernelMemory#ALL} at absolute addresses, which {@code run} checks against the section
 * once on entry ({@link KernelMemory#base}), so the loop carries no per-access segment checks. Why bytecode rather than Java source through
 * {@code javax.tools}: generating a class takes microseconds and loads nothing, while the
 * in-process compiler would spend about a second of CPU and fill the code cache of the very
 * JVM whose JIT the test measures, and is not present in every runtime image.
 *
 * <p>Modes: loads {@code plain} (get), {@code opaque} (getOpaque), {@code acquire}
 * (getAcquire), {@code volatile} (getVolatile); stores {@code plain}, {@code opaque},
 * {@code release} (setRelease), {@code volatile}; read-modify-writes {@code acquire},
 * {@code release}, {@code volatile} (getAndAdd*, getAndSet*, compareAndExchange*); fences
 * {@code acquire}, {@code release}, {@code full} (VarHandle's acquireFence, releaseFence,
 * fullFence). Registers are written with plain {@code set}s after the steps.
 *
 * <p>The class bytes are kept under {@link KernelCache#dir}("java"), named by their hash, so
 * {@code javap} can show what ran; a second run reads them instead of generating.
 */
public final class JavaKernelClass {

    /** Changes whenever the bytecode this class emits changes, so cached classes of older code are not used. */
    private static final String GENERATOR = "java-kernel-class 3";

    private static final ClassDesc CD_SEGMENT = ClassDesc.of("java.lang.foreign.MemorySegment");
    private static final ClassDesc CD_VAR_HANDLE = ClassDesc.of("java.lang.invoke.VarHandle");
    private static final ClassDesc CD_VALUE_LAYOUT = ClassDesc.of("java.lang.foreign.ValueLayout");
    private static final ClassDesc CD_OF_LONG = ClassDesc.of("java.lang.foreign.ValueLayout$OfLong");
    private static final ClassDesc CD_KERNEL = ClassDesc.of(JavaKernel.class.getName());
    private static final ClassDesc CD_MEMORY = ClassDesc.of(KernelMemory.class.getName());
    private static final MethodTypeDesc BASE = MethodTypeDesc.of(ConstantDescs.CD_long, CD_SEGMENT, ConstantDescs.CD_long,
            ConstantDescs.CD_long, ConstantDescs.CD_long, ConstantDescs.CD_long, ConstantDescs.CD_long, ConstantDescs.CD_long,
            ConstantDescs.CD_int);

    private static final MethodTypeDesc GET = MethodTypeDesc.of(ConstantDescs.CD_long, CD_SEGMENT, ConstantDescs.CD_long);
    private static final MethodTypeDesc SET = MethodTypeDesc.of(ConstantDescs.CD_void, CD_SEGMENT, ConstantDescs.CD_long, ConstantDescs.CD_long);
    private static final MethodTypeDesc RMW = MethodTypeDesc.of(ConstantDescs.CD_long, CD_SEGMENT, ConstantDescs.CD_long, ConstantDescs.CD_long);
    private static final MethodTypeDesc CAS = MethodTypeDesc.of(ConstantDescs.CD_long, CD_SEGMENT, ConstantDescs.CD_long,
            ConstantDescs.CD_long, ConstantDescs.CD_long);
    private static final MethodTypeDesc RUN = MethodTypeDesc.of(ConstantDescs.CD_void, CD_SEGMENT, ConstantDescs.CD_long,
            ConstantDescs.CD_long, ConstantDescs.CD_long, ConstantDescs.CD_long, ConstantDescs.CD_int);

    // run's parameter slots: this, then s, loc, locStride, r, rStride (longs take two), n.
    private static final int S = 1, LOC = 2, LOC_STRIDE = 4, R = 6, R_STRIDE = 8, N = 10, FIRST_LOCAL = 11;

    private static final Map<String, JavaKernel> LOADED = new ConcurrentHashMap<>();

    private JavaKernelClass() {}

    /**
     * The kernel of {@code plan}, defined once per JVM.
     *
     * @throws IllegalArgumentException for a plan of another runtime or a mode Java lacks
     */
    public static JavaKernel of(KernelPlan plan) {
        if (plan.runtime() != ActorRuntime.JAVA) throw new IllegalArgumentException("not a Java kernel: " + plan);
        JavaKernel k = LOADED.get(plan.id());
        if (k != null) return k;
        return LOADED.computeIfAbsent(plan.id(), id -> define(plan, cachedBytes(plan)));
    }

    /** The class file of {@code plan}'s kernel. */
    static byte[] bytes(KernelPlan plan) {
        ClassDesc self = ClassDesc.of(JavaKernelClass.class.getPackageName() + ".Kernel_" + plan.id());
        return ClassFile.of().build(self, cb -> {
            cb.withFlags(AccessFlag.PUBLIC, AccessFlag.FINAL, AccessFlag.SYNTHETIC);
            cb.withInterfaceSymbols(CD_KERNEL);
            cb.withField("LONG", CD_VAR_HANDLE, fb -> fb.withFlags(AccessFlag.PRIVATE, AccessFlag.STATIC, AccessFlag.FINAL));
            cb.withMethodBody(ConstantDescs.CLASS_INIT_NAME, ConstantDescs.MTD_void, ClassFile.ACC_STATIC, code -> code
                    .getstatic(CD_VALUE_LAYOUT, "JAVA_LONG", CD_OF_LONG)
                    .invokeinterface(CD_VALUE_LAYOUT, "varHandle", MethodTypeDesc.of(CD_VAR_HANDLE))
                    .putstatic(self, "LONG", CD_VAR_HANDLE)
                    .return_());
            cb.withMethodBody(ConstantDescs.INIT_NAME, ConstantDescs.MTD_void, ClassFile.ACC_PUBLIC, code -> code
                    .aload(0)
                    .invokespecial(ConstantDescs.CD_Object, ConstantDescs.INIT_NAME, ConstantDescs.MTD_void)
                    .return_());
            cb.withMethodBody("run", RUN, ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL, code -> run(code, self, plan));
        });
    }

    private static void run(CodeBuilder code, ClassDesc self, KernelPlan plan) {
        int expected = FIRST_LOCAL + 2 * plan.registers();
        int witness = expected + 2;
        Label head = code.newLabel(), end = code.newLabel();
        // loc and r become absolute addresses, checked against the section once (KernelMemory.base).
        code.aload(S).lload(LOC).lload(LOC_STRIDE).ldc(plan.locationBytes()).lload(R).lload(R_STRIDE)
                .ldc((long) plan.registers()).iload(N).invokestatic(CD_MEMORY, "base", BASE)
                .dup2().lload(LOC).ladd().lstore(LOC)
                .lload(R).ladd().lstore(R);
        code.labelBinding(head);
        code.iload(N).ifle(end);
        for (int k = 0; k < plan.registers(); k++) code.lconst_0().lstore(register(k));
        for (KernelPlan.Step step : plan.steps()) {
            switch (step) {
                case KernelPlan.Load l -> {
                    handle(code, self).getstatic(CD_MEMORY, "ALL", CD_SEGMENT);
                    address(code, l.at());
                    code.invokevirtual(CD_VAR_HANDLE, load(l.mode()), GET);
                    result(code, l.register());
                }
                case KernelPlan.Store st -> {
                    handle(code, self).getstatic(CD_MEMORY, "ALL", CD_SEGMENT);
                    address(code, st.at());
                    code.ldc(st.value()).invokevirtual(CD_VAR_HANDLE, store(st.mode()), SET);
                }
                case KernelPlan.FetchAdd f -> {
                    handle(code, self).getstatic(CD_MEMORY, "ALL", CD_SEGMENT);
                    address(code, f.at());
                    code.ldc(f.delta()).invokevirtual(CD_VAR_HANDLE, rmw("getAndAdd", f.mode()), RMW);
                    result(code, f.register());
                }
                case KernelPlan.Exchange x -> {
                    handle(code, self).getstatic(CD_MEMORY, "ALL", CD_SEGMENT);
                    address(code, x.at());
                    code.ldc(x.value()).invokevirtual(CD_VAR_HANDLE, rmw("getAndSet", x.mode()), RMW);
                    result(code, x.register());
                }
                case KernelPlan.CompareExchange c -> {
                    // expected := [e] (plain); witness := compareAndExchange*([x], expected, desired)
                    handle(code, self).getstatic(CD_MEMORY, "ALL", CD_SEGMENT);
                    address(code, c.expectedAt());
                    code.invokevirtual(CD_VAR_HANDLE, "get", GET).lstore(expected);
                    handle(code, self).getstatic(CD_MEMORY, "ALL", CD_SEGMENT);
                    address(code, c.at());
                    code.lload(expected).ldc(c.desired()).invokevirtual(CD_VAR_HANDLE, rmw("compareAndExchange", c.mode()), CAS)
                            .lstore(witness);
                    Label failed = code.newLabel(), done = code.newLabel();
                    code.lload(witness).lload(expected).lcmp().ifne(failed);
                    if (c.register() >= 0) code.lconst_1().lstore(register(c.register()));
                    code.goto_(done);
                    // A failed compare-exchange writes the value it found to e, as C11's does.
                    code.labelBinding(failed);
                    if (c.register() >= 0) code.lconst_0().lstore(register(c.register()));
                    handle(code, self).getstatic(CD_MEMORY, "ALL", CD_SEGMENT);
                    address(code, c.expectedAt());
                    code.lload(witness).invokevirtual(CD_VAR_HANDLE, "set", SET);
                    code.labelBinding(done);
                }
                case KernelPlan.Fence f -> code.invokestatic(CD_VAR_HANDLE, fence(f.mode()), ConstantDescs.MTD_void);
            }
        }
        for (int k = 0; k < plan.registers(); k++) {
            handle(code, self).getstatic(CD_MEMORY, "ALL", CD_SEGMENT).lload(R);
            if (k > 0) code.ldc(8L * k).ladd();
            code.lload(register(k)).invokevirtual(CD_VAR_HANDLE, "set", SET);
        }
        code.lload(LOC).lload(LOC_STRIDE).ladd().lstore(LOC);
        code.lload(R).lload(R_STRIDE).ladd().lstore(R);
        code.iinc(N, -1).goto_(head);
        code.labelBinding(end);
        code.return_();
    }

    private static int register(int k) {
        return FIRST_LOCAL + 2 * k;
    }

    private static CodeBuilder handle(CodeBuilder code, ClassDesc self) {
        return code.getstatic(self, "LONG", CD_VAR_HANDLE);
    }

    private static void address(CodeBuilder code, long at) {
        code.lload(LOC);
        if (at != 0) code.ldc(at).ladd();
    }

    private static void result(CodeBuilder code, int register) {
        if (register >= 0) code.lstore(register(register));
        else code.pop2();
    }

    static String load(String mode) {
        return switch (mode) {
            case "plain" -> "get";
            case "opaque" -> "getOpaque";
            case "acquire" -> "getAcquire";
            case "volatile" -> "getVolatile";
            default -> throw new IllegalArgumentException("Java has no load in mode '" + mode + "' (it has plain, opaque, acquire, volatile)");
        };
    }

    static String store(String mode) {
        return switch (mode) {
            case "plain" -> "set";
            case "opaque" -> "setOpaque";
            case "release" -> "setRelease";
            case "volatile" -> "setVolatile";
            default -> throw new IllegalArgumentException("Java has no store in mode '" + mode + "' (it has plain, opaque, release, volatile)");
        };
    }

    static String rmw(String operation, String mode) {
        return switch (mode) {
            case "volatile" -> operation;
            case "acquire" -> operation + "Acquire";
            case "release" -> operation + "Release";
            default -> throw new IllegalArgumentException("Java has no " + operation + " in mode '" + mode + "' (it has acquire, release, volatile)");
        };
    }

    static String fence(String mode) {
        return switch (mode) {
            case "acquire" -> "acquireFence";
            case "release" -> "releaseFence";
            case "full" -> "fullFence";
            default -> throw new IllegalArgumentException("Java has no fence in mode '" + mode + "' (it has acquire, release, full)");
        };
    }

    private static byte[] cachedBytes(KernelPlan plan) {
        Path entry = KernelCache.dir("java").resolve(KernelPlan.sha256(GENERATOR + "\n" + ActorRuntime.JAVA.label() + "\n"
                + plan.text() + "\n" + plan.registers() + "\n" + System.getProperty("java.version")) + ".class");
        try {
            if (Files.isRegularFile(entry)) return Files.readAllBytes(entry);
            byte[] b = bytes(plan);
            Path tmp = Files.createTempFile(entry.getParent(), "kernel-", ".tmp");
            Files.write(tmp, b);
            KernelCache.publish(tmp, entry);
            return b;
        } catch (IOException e) {
            // The cache only saves work; a kernel generated here is the same kernel.
            return bytes(plan);
        }
    }

    private static JavaKernel define(KernelPlan plan, byte[] bytes) {
        try {
            MethodHandles.Lookup hidden = MethodHandles.lookup().defineHiddenClass(bytes, true);
            return (JavaKernel) hidden.findConstructor(hidden.lookupClass(), java.lang.invoke.MethodType.methodType(void.class)).invoke();
        } catch (Throwable e) {
            throw new IllegalStateException("the generated Java kernel for {" + plan.text() + "} did not load: " + e, e);
        }
    }
}
