package lenet.engine;

import java.util.ArrayList;
import java.util.List;
import uk.ac.manchester.tornado.api.TornadoBackend;
import uk.ac.manchester.tornado.api.TornadoRuntime;
import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.runtime.TornadoRuntimeProvider;

/**
 * Whether the JVM runs with the TornadoVM runtime, and its devices. Without the runtime (plain Java,
 * with the compile-time stand-in of {@code tornado.api}) there are no devices.
 */
public final class TornadoRuntimeInfo {
    private TornadoRuntimeInfo() {
    }

    /** A TornadoVM device, numbered {@code backend:index} as {@code --device B:D} expects. */
    public record Device(int backend, int index, String backendName, String name, String type, long globalMemory) {
        public String id() {
            return backend + ":" + index;
        }
    }

    /** True when the TornadoVM runtime module is in the boot layer (the JVM was started by {@code tornado}). */
    public static boolean isPresent() {
        return ModuleLayer.boot().findModule("tornado.runtime").isPresent();
    }

    /** The devices of every backend; empty without the runtime. */
    public static List<Device> devices() {
        if (!isPresent()) {
            return List.of();
        }
        TornadoRuntime runtime = TornadoRuntimeProvider.getTornadoRuntime();
        List<Device> devices = new ArrayList<>();
        for (int b = 0; b < runtime.getNumBackends(); b++) {
            TornadoBackend backend = runtime.getBackend(b);
            for (int d = 0; d < backend.getNumDevices(); d++) {
                TornadoDevice device = backend.getDevice(d);
                devices.add(new Device(b, d, backend.getName(), device.getDeviceName(),
                        String.valueOf(device.getDeviceType()), device.getMaxGlobalMemory()));
            }
        }
        return List.copyOf(devices);
    }
}
