package lenet.engine;

import lenet.model.Params;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.common.TornadoDevice;

/** Picks and starts the engine a run asked for, and says why when it cannot. */
public final class Engines {
    private Engines() {
    }

    /** What the user asked for: {@code engine} is "auto", "java" or "tornado"; {@code device} "B:D" or null. */
    public record Choice(String engine, String device, int threads, KernelSet kernels) {
    }

    /** The engine "auto" means here: tornado when the JVM runs under TornadoVM, else java. */
    public static String resolve(String engine) {
        if (engine.equals("auto")) {
            return TornadoRuntimeInfo.isPresent() ? "tornado" : "java";
        }
        return engine;
    }

    public static Engine start(Choice choice, EngineData data, Params initial, float lr, int batchSize) {
        String engine = resolve(choice.engine());
        if (engine.equals("java")) {
            return new JvmEngine(data, initial, lr, batchSize, choice.threads(), choice.kernels());
        }
        if (!TornadoRuntimeInfo.isPresent()) {
            throw new EngineException("--engine tornado needs the TornadoVM runtime, and this JVM runs without it: "
                    + "launch with TORNADOVM_HOME set (scripts/lenet) or with 'tornado' (see README, Running under TornadoVM)");
        }
        if (!"False".equalsIgnoreCase(System.getProperty("tornado.recover.bailout"))) {
            throw new EngineException("TornadoVM runs with bailouts on, so a kernel it cannot compile would silently run as "
                    + "plain Java: launch with -Dtornado.recover.bailout=False (tornado-config/tornado.flags)");
        }
        return new TornadoEngine(data, initial, lr, batchSize, device(choice.device()));
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
