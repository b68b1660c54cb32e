package lenet.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import lenet.engine.TornadoRuntimeInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import lenet.data.IoErrors;

/** {@code lenet devices}: the engines this run can use. */
@Command(name = "devices", mixinStandardHelpOptions = true,
        description = "Lists the engines this run can use: JVM threads, and TornadoVM's devices when running under TornadoVM.")
public final class DevicesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        int cores = Runtime.getRuntime().availableProcessors();
        out.printf("java: JVM %s, %d threads (%d cores)%n", Runtime.version(), cores, cores);
        if (!TornadoRuntimeInfo.isPresent()) {
            out.println("TornadoVM: not found (running on plain Java; see README: Running under TornadoVM)");
            return Cli.OK;
        }
        List<TornadoRuntimeInfo.Device> devices;
        try {
            devices = TornadoRuntimeInfo.devices();
        } catch (RuntimeException e) {
            out.println("TornadoVM: present, but its devices cannot be listed (" + IoErrors.reason(e) + ")");
            return Cli.ERROR;
        }
        if (devices.isEmpty()) {
            out.println("TornadoVM: present, but it reports no devices");
        }
        for (TornadoRuntimeInfo.Device d : devices) {
            out.printf(Locale.ROOT, "tornado %s: %s (%s, %s), %.1f GiB global memory%n",
                    d.id(), d.name(), d.type(), d.backendName(), d.globalMemory() / (double) (1L << 30));
        }
        return Cli.OK;
    }
}
