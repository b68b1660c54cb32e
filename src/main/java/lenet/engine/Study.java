package lenet.engine;

import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * What a run asks of its engine besides training, to study the TornadoVM engine: the generated kernels
 * ({@code --print-kernels DIR}), TornadoVM's profile of a training step ({@code --profile}), and a JVM
 * engine taking the same step to check the device's update every N steps ({@code --verify-every N}).
 *
 * @param printKernels folder for the kernels, or null
 * @param verifyEvery  compare every this many steps; 0: never
 * @param out          where the reports go (null only when nothing is asked)
 */
public record Study(Path printKernels, boolean profile, int verifyEvery, PrintWriter out) {
    public static final Study NONE = new Study(null, false, 0, null);

    /** Whether something was asked that only the TornadoVM engine can do. */
    public boolean needsTornado() {
        return printKernels != null || profile;
    }
}
