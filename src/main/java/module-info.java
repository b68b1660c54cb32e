/**
 * lenet: LeNet-5 on Fashion-MNIST, every layer a plain Java loop kernel that TornadoVM compiles
 * to GPU code and the JVM runs on CPU threads.
 *
 * <p>Read it in this order: {@code lenet.data} (IDX files) → {@code lenet.model} (layers, shapes,
 * parameters) → {@code lenet.kernels} (forward and backward kernels) → {@code lenet.engine} (who runs
 * the kernels: JVM threads or TornadoVM task graphs) → {@code lenet.train} (the training loop,
 * checkpoints) → {@code lenet.report} (charts, confusion matrices) → {@code lenet.cli} (the commands).
 */
module lenet {
    requires tornado.api;
    requires info.picocli;
    requires com.google.gson;
    requires java.desktop;          // javax.imageio (PNG in and out), java.awt (charts, headless)
    requires org.knowm.xchart;      // automatic module (Automatic-Module-Name in its jar)
    requires java.net.http;
    requires java.management;       // the JVM engine's warm-up watches the JIT (CompilationMXBean)
    // the CPU twins of the kernels (lenet.kernels.cpu) use the Vector API; the JVM warns that it is an
    // incubator module when it starts
    requires jdk.incubator.vector;
    // the kernels' host references (check-kernels); automatic modules named after their jars
    requires ejml.core;
    requires ejml.ddense;

    exports lenet;
    exports lenet.model;
    exports lenet.engine;
    exports lenet.engine.tornado;
    exports lenet.train;
    exports lenet.report;
    exports lenet.kernels;
    exports lenet.kernels.cpu;
    exports lenet.data;
    exports lenet.cli;

    // TornadoVM reflects on kernel methods to compile them (javac warns that tornado.runtime is
    // not found when compiling without TornadoVM: expected).
    opens lenet.kernels to tornado.runtime;
    opens lenet.cli to info.picocli;
    opens lenet.train to com.google.gson;
    opens lenet.engine.tornado to com.google.gson; // KernelProfile, in metrics.json
}
