package lenet.engine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import lenet.data.IoErrors;

/**
 * Collects the kernels TornadoVM prints for {@code --print-kernels DIR}. TornadoVM reads
 * {@code tornado.printKernel} and {@code tornado.print.kernel.dir} once, when its runtime starts, so
 * {@link #prepare} must run before anything touches the runtime (device lookup included). TornadoVM
 * appends each kernel it compiles to {@code DIR/tornadovm-kernels.txt}; after a graph's first execution,
 * {@link #collect} splits what was appended into one file per task ({@link KernelFiles}) and, at the end,
 * the raw file is removed when every kernel found its task.
 */
final class KernelDump {
    static final String RAW = "tornadovm-kernels.txt";

    private final Path dir;
    private final Path raw;
    private long offset;
    private boolean complete = true;

    private KernelDump(Path dir) {
        this.dir = dir;
        this.raw = dir.resolve(RAW);
    }

    static KernelDump prepare(Path dir) {
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

    /** Writes the kernels graph {@code g} compiled at its first execution, one file per task. */
    void collect(GraphSink g, String device, PrintWriter out) {
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
        List<KernelFiles.Unit> units = KernelFiles.split(text);
        if (units.isEmpty()) {
            complete = false;
            out.printf("kernels: TornadoVM printed no kernels for graph %s (tornado.printKernel was read before lenet set it?)%n", g.name());
            return;
        }
        List<Path> files = KernelFiles.write(dir, g.name(), g.tasks(), units, device);
        if (units.size() != g.tasks().size()) {
            complete = false;
            out.printf("kernels: graph %s has %d tasks but TornadoVM printed %d kernels: %d numbered files in %s, and all of them in %s%n",
                    g.name(), g.tasks().size(), units.size(), files.size(), dir, raw.getFileName());
        } else {
            out.printf("kernels: graph %s, %d kernels: %s/%s.*.%s%n", g.name(), files.size(), dir, g.name(), units.get(0).extension());
        }
        out.flush();
    }

    /** Removes TornadoVM's raw file once every kernel has its own. */
    void finish() {
        if (complete) {
            try {
                Files.deleteIfExists(raw);
            } catch (IOException e) {
                // the per-task files are written; a leftover raw file is harmless
            }
        }
    }
}
