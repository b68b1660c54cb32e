package lenet.engine.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import lenet.engine.EngineException;

/**
 * TornadoVM's failures as one line. The exceptions are built here to look as TornadoVM 5.2 throws them
 * (messages copied from runs on PoCL, colour codes included).
 */
class TornadoErrorsTest {
    /** Stands for TornadoVM's class of that name (the engine recognises it by name). */
    static final class TornadoOutOfMemoryException extends RuntimeException {
        TornadoOutOfMemoryException(String m) {
            super(m);
        }
    }

    static <T extends Throwable> T thrownBy(T e, String className) {
        e.setStackTrace(new StackTraceElement[] {new StackTraceElement(className, "run", "X.java", 1)});
        return e;
    }

    @Test
    void oneLineWithoutColourCodes() {
        RuntimeException e = new RuntimeException("\u001B[31mUnable to build sketch for method: bad\n(details)\u001B[0m");
        assertEquals("RuntimeException: Unable to build sketch for method: bad (details)", TornadoErrors.oneLine(e));
        assertEquals("IllegalStateException: inner", TornadoErrors.oneLine(new RuntimeException((String) null, new IllegalStateException("inner"))),
                "a wrapper without a message gives its cause's");
    }

    @Test
    void recognisesFailuresFromInsideTornadoVm() {
        assertTrue(TornadoErrors.fromTornado(thrownBy(new NullPointerException("x"), "uk.ac.manchester.tornado.drivers.opencl.graal.compiler.OCLNodeLIRBuilder")));
        assertTrue(TornadoErrors.fromTornado(thrownBy(new IllegalStateException("x"), "jdk.graal.compiler.phases.BasePhase")));
        assertFalse(TornadoErrors.fromTornado(thrownBy(new ArrayIndexOutOfBoundsException("x"), "lenet.kernels.Conv2d")));
    }

    @Test
    void aKernelWithoutLocalVariableTablesIsNamedWithTheFix() {
        NullPointerException npe = new NullPointerException("Cannot invoke \"jdk.vm.ci.meta.LocalVariableTable.getLocalsAt(int)\" because "
                + "the return value of \"jdk.vm.ci.meta.ResolvedJavaMethod.getLocalVariableTable()\" is null");
        EngineException e = TornadoErrors.kernelFailed("train", "sgd.conv1.weight", npe);
        assertTrue(e.getMessage().startsWith("graph train, task sgd.conv1.weight: TornadoVM cannot compile this kernel: NullPointerException: Cannot invoke"),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("(the kernel's class has no local-variable table: compile it with -g)"), e.getMessage());
    }

    @Test
    void deviceMemoryExhaustedSaysWhichLimit() {
        EngineException e = TornadoErrors.graphFailed("train", new TornadoOutOfMemoryException(
                "Unable to allocate 1605648 bytes of memory.\u001B[33m\n\tTo increase the maximum device memory, use -Dtornado.device.memory=<X>GB\n\u001B[0m"));
        assertTrue(e.getMessage().startsWith("graph train: out of device memory: TornadoOutOfMemoryException: Unable to allocate 1605648 bytes "
                + "of memory. To increase the maximum device memory, use -Dtornado.device.memory=<X>GB; TornadoVM's limit is -Dtornado.device.memory="),
                e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }
}
