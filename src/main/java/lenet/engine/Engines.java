package lenet.engine;

import lenet.engine.tornado.KernelDump;
import lenet.model.Params;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.common.TornadoDevice;

/** Picks and starts the engine a run asked for, and says why when it cannot. */
public final class Engines {
    private Engines() {
    }

    /** What the user asked for: an engine, which may be {@link EngineKind#AUTO}; {@code device} "B:D" or null. */
    public record Choice(EngineKind engine, String device, int threads, KernelSet kernels) {
    }

    /**
     * Starts the engine, with what {@code study} asks: {@code --print-kernels} and {@code --profile} need the
     * TornadoVM engine; {@code --verify-every N} wraps the engine in a {@link VerifyingEngine}.
     */
    public static Engine start(Choice choice, Study study, EngineData data, Params initial, float lr, int batchSize) {
        EngineKind engine = choice.engine().resolve();
        if (study.needsTornado() && engine != EngineKind.TORNADO) {
            throw new EngineException((study.printKernels() != null ? "--print-kernels" : "--profile")
                    + " shows what TornadoVM does and needs the TornadoVM engine, but this run uses the JVM engine"
                    + (TornadoRuntimeInfo.isPresent() ? "" : " (TornadoVM not found: see README, Running under TornadoVM)"));
        }
        Engine started = engine == EngineKind.JAVA ? new JvmEngine(data, initial, lr, batchSize, choice.threads(), choice.kernels())
                : startTornado(choice, study, data, initial, lr, batchSize);
        if (study.verifyEvery() < 1) {
            return started;
        }
        try {
            return new VerifyingEngine(started, new JvmEngine(data, initial, lr, batchSize, 1, KernelSet.PLAIN), study.verifyEvery(), study.out());
        } catch (RuntimeException | Error e) {
            started.close();
            throw e;
        }
    }

    private static Engine startTornado(Choice choice, Study study, EngineData data, Params initial, float lr, int batchSize) {
        requireTornado();
        // Before anything starts TornadoVM's runtime (the device lookup does): it reads its print options once.
        KernelDump kernels = study.printKernels() == null ? null : KernelDump.prepare(study.printKernels());
        return new TornadoEngine(data, initial, lr, batchSize, device(choice.device()), study, kernels);
    }

    /**
     * Where {@code check-kernels} runs its kernels: JVM threads ({@code engine} java), or the TornadoVM
     * device {@code device} ("B:D", null for the default one) with {@code engine} tornado.
     */
    public static KernelChecks.Runner kernelCheckRunner(EngineKind engine, String device) {
        if (engine.resolve() == EngineKind.JAVA) {
            return KernelChecks.jvm();
        }
        requireTornado();
        return KernelChecks.tornado(device(device));
    }

    /** The name of the TornadoVM device {@code device} ("B:D", null for the default one), for reports. */
    public static String tornadoDeviceName(String device) {
        TornadoDevice d = device(device);
        return d == null ? TornadoEngine.defaultDeviceName() : d.getDeviceName() + " " + d.getDescription();
    }

    /** Refuses to go on without the TornadoVM runtime, or with bailouts on (a kernel that does not compile would run as Java). */
    private static void requireTornado() {
        if (!TornadoRuntimeInfo.isPresent()) {
            throw new EngineException("--engine tornado needs the TornadoVM runtime, and this JVM runs without it: "
                    + "launch with TORNADOVM_HOME set (scripts/lenet) or with 'tornado' (see README, Running under TornadoVM)");
        }
        if (!"False".equalsIgnoreCase(System.getProperty("tornado.recover.bailout"))) {
            throw new EngineException("TornadoVM runs with bailouts on, so a kernel it cannot compile would silently run as "
                    + "plain Java: launch with -Dtornado.recover.bailout=False (tornado-config/tornado.flags)");
        }
    }

    private static TornadoDevice device(String id) {
        if (id == null) {
            return null;
        }
        for (TornadoRuntimeInfo.Device d : TornadoRuntimeInfo.devices()) {
            if (d.id().equals(id)) {
                return TornadoExecutionPlan.getDevice(d.backend(), d.index());
            }
        }
        throw new EngineException("--device " + id + ": no such TornadoVM device; 'lenet devices' lists them");
    }
}
