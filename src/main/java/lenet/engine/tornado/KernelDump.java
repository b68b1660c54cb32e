package lenet.engine.tornado;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import lenet.data.IoErrors;

import lenet.engine.GraphSink;

/**
 * Collects the kernels TornadoVM prints for {@code --print-kernels DIR}. TornadoVM reads
 * {@code tornado.printKernel} and {@code tornado.print.kernel.dir} once, when its runtime starts, so
 * {@link #prepare} must run before anything touches the runtime (device lookup included). TornadoVM
 * appends each kernel it compiles to {@code DIR/tornadovm-kernels.txt}; after some graphs were compiled
 * (all of them by the engine's warm-up, or one at its first execution), {@link #collect} splits what was
 * appended into one file per task ({@link KernelFiles}) and, at the end, the raw file is removed when every
 * kernel found its task.
 */
public final class KernelDump {
    public static final String RAW = "tornadovm-kernels.txt";

    private final Path dir;
    private final Path raw;
    private long offset;
    private boolean complete = true;

    private KernelDump(Path dir) {
        this.dir = dir;
        this.raw = dir.resolve(RAW);
    }

    /** Makes the folder and asks TornadoVM, through its system properties, to print every kernel into it. */
    public static KernelDump prepare(Path dir) {
        KernelDump dump = new KernelDump(dir.toAbsolutePath());
        try {
            Files.createDirectories(dump.dir);
            Files.deleteIfExists(dump.raw); // TornadoVM appends
        } catch (IOException e) {
            throw new UncheckedIOException("--print-kernels " + dir + ": " + IoErrors.reason(e), e);
        }
        System.setProperty("tornado.printKernel", "True");
        System.setProperty("tornado.print.kernel.dir", dump.raw.toString());
        return dump;
    }

    /** The graph's tasks as {@link KernelFiles#attribute} takes them. */
    public static KernelFiles.Graph graph(GraphSink g) {
        return new KernelFiles.Graph(g.name(), g.calls().stream().map(c -> new KernelFiles.Task(c.id(), KernelFiles.signature(c.args()))).toList());
    }

    /**
     * Writes the kernels TornadoVM printed since the last call, while it compiled {@code graphs} (in the
     * order it compiled them), one file per task; says on {@code out} where they went.
     */
    public void collect(List<GraphSink> graphs, String device, PrintWriter out) {
        String text = "";
        try {
            if (Files.exists(raw)) {
                byte[] all = Files.readAllBytes(raw);
                text = new String(all, (int) Math.min(offset, all.length), (int) Math.max(0, all.length - offset), StandardCharsets.UTF_8);
                offset = all.length;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("--print-kernels: cannot read " + raw + ": " + IoErrors.reason(e), e);
        }
        List<KernelFiles.Graph> plan = graphs.stream().map(KernelDump::graph).toList();
        List<KernelFiles.Unit> units = KernelFiles.split(text);
        if (units.isEmpty()) {
            complete = false;
            out.printf("kernels: TornadoVM printed no kernels for %s %s (tornado.printKernel was read before lenet set it?)%n",
                    plan.size() == 1 ? "graph" : "graphs", KernelFiles.names(plan));
            out.flush();
            return;
        }
        KernelFiles.Attribution a = KernelFiles.attribute(plan, units);
        List<List<Path>> files = KernelFiles.write(dir, a, device);
        if (!a.complete()) {
            complete = false;
            out.printf("kernels: %s: %d numbered files in %s, and all of them in %s%n", a.problem(), files.get(0).size(), dir, raw.getFileName());
        } else {
            for (int g = 0; g < plan.size(); g++) {
                out.printf("kernels: graph %s, %d kernels: %s/%s.*.%s%n", plan.get(g).name(), files.get(g).size(), dir, plan.get(g).name(),
                        a.units().get(g).isEmpty() ? "cl" : a.units().get(g).get(0).extension());
            }
        }
        out.flush();
    }

    /** Removes TornadoVM's raw file once every kernel has its own. */
    public void finish() {
        if (complete) {
            try {
                Files.deleteIfExists(raw);
            } catch (IOException e) {
                // the per-task files are written; a leftover raw file is harmless
            }
        }
    }
}
