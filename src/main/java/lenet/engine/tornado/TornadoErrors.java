package lenet.engine.tornado;

import java.util.Locale;
import java.util.regex.Pattern;

import lenet.engine.EngineException;

/**
 * Turns what TornadoVM throws into one line for the user. TornadoVM's messages carry ANSI colour codes
 * and line breaks, and some of its failures are plain JDK exceptions thrown from inside its compiler
 * (a {@code NullPointerException} for a kernel class compiled without local-variable tables).
 */
public final class TornadoErrors {
    private static final Pattern ANSI = Pattern.compile("\u001B\\[[;\\d]*m");
    private static final Pattern SPACE = Pattern.compile("\\s+");

    private TornadoErrors() {
    }

    /** True when TornadoVM (its API, runtime, drivers, or the Graal/JVMCI compiler under it) threw {@code e}. */
    public static boolean fromTornado(Throwable e) {
        if (isTornadoClass(e.getClass().getName())) {
            return true;
        }
        StackTraceElement[] stack = e.getStackTrace();
        return stack.length > 0 && isTornadoClass(stack[0].getClassName());
    }

    private static boolean isTornadoClass(String name) {
        return name.startsWith("uk.ac.manchester.tornado.") || name.startsWith("jdk.graal.") || name.startsWith("jdk.vm.ci.");
    }

    /** True when {@code e} says the device ran out of the memory TornadoVM may use. */
    public static boolean outOfDeviceMemory(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String n = t.getClass().getSimpleName();
            if (n.equals("TornadoOutOfMemoryException") || n.equals("TornadoMemoryException")) {
                return true;
            }
        }
        return false;
    }

    /** "SimpleClassName: message" on one line, without colour codes; the innermost cause that says more. */
    public static String oneLine(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t && (t.getMessage() == null || t.getMessage().isBlank())) {
            t = t.getCause();
        }
        String message = t.getMessage() == null ? "" : ANSI.matcher(t.getMessage()).replaceAll("");
        message = SPACE.matcher(message).replaceAll(" ").strip();
        return t.getClass().getSimpleName() + (message.isEmpty() ? "" : ": " + message);
    }

    /** The advice to add for a failure, from what the message says; empty when there is none. */
    public static String hint(Throwable e) {
        for (StackTraceElement frame : e.getStackTrace()) {
            if (frame.getClassName().contains(".virtual.Virtual")) {
                return " (a TornadoVM virtual device compiles kernels but runs nothing: it serves --print-kernels)";
            }
        }
        String line = oneLine(e).toLowerCase(Locale.ROOT);
        if (line.contains("getlocalvariabletable")) {
            return " (the kernel's class has no local-variable table: compile it with -g)";
        }
        if (line.contains("recover option disabled")) {
            return " (TornadoVM gave up on a graph; a bytecode buffer too small for it is one cause: "
                    + "-Dtornado.tvm.maxbytecodesize in tornado-config/tornado.flags)";
        }
        return "";
    }

    /** The error for a graph (or graphs: their names, comma-separated) that failed on the device. */
    public static EngineException graphFailed(String graph, Throwable e) {
        String which = (graph.contains(", ") ? "graphs " : "graph ") + graph;
        if (outOfDeviceMemory(e)) {
            return new EngineException(which + ": out of device memory: " + oneLine(e)
                    + "; TornadoVM's limit is -Dtornado.device.memory=" + System.getProperty("tornado.device.memory", "4GB")
                    + " (see tornado-config/tornado.flags)", e);
        }
        return new EngineException(which + " failed on the device: " + oneLine(e) + hint(e), e);
    }

    /** The error for a kernel TornadoVM cannot compile, naming its graph and task. */
    public static EngineException kernelFailed(String graph, String task, Throwable e) {
        return new EngineException("graph " + graph + ", task " + task + ": TornadoVM cannot compile this kernel: "
                + oneLine(e) + hint(e), e);
    }
}
