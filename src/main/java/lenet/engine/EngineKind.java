package lenet.engine;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The engines a run can ask for. {@link #id()} is the name on the command line ({@code --engine}), in
 * checkpoints and in metrics: {@code auto}, {@code java}, {@code tornado}.
 */
public enum EngineKind {
    /** Tornado when the JVM runs under TornadoVM, else java ({@link #resolve}). */
    AUTO("auto"),
    /** The JVM engine: the kernels on this JVM's threads ({@link JvmEngine}). */
    JAVA("java"),
    /** The TornadoVM engine: the plain kernels on a TornadoVM device ({@link TornadoEngine}). */
    TORNADO("tornado");

    private final String id;

    EngineKind(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    @Override
    public String toString() {
        return id;
    }

    /** The engine of this id, or empty for any other text. */
    public static Optional<EngineKind> of(String id) {
        return Arrays.stream(values()).filter(k -> k.id.equals(id)).findFirst();
    }

    /** "auto, java, tornado": the ids, for a usage message. */
    public static String ids() {
        return Arrays.stream(values()).map(EngineKind::id).collect(Collectors.joining(", "));
    }

    /** The engine this one means here: {@link #AUTO} is {@link #TORNADO} under TornadoVM, else {@link #JAVA}; the others themselves. */
    public EngineKind resolve() {
        if (this == AUTO) {
            return TornadoRuntimeInfo.isPresent() ? TORNADO : JAVA;
        }
        return this;
    }
}
