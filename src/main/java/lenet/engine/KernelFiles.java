package lenet.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import lenet.data.IoErrors;

/**
 * {@code --print-kernels DIR}: the code TornadoVM generated, one file per task. TornadoVM 5.2 appends every
 * kernel it compiles to the single file named by {@code -Dtornado.print.kernel.dir} (despite the name, a
 * file), each as a complete compilation unit named after the Java method ({@code forward},
 * {@code backwardWeight}), not after the task. Kernels are compiled in task order when a graph first runs,
 * so the units appended by a graph's first execution are its tasks', in order; {@link #split} cuts them
 * apart and {@link #write} names each file {@code <graph>.<task id>.cl} (OpenCL C) or {@code .ptx}.
 */
public final class KernelFiles {
    private static final Pattern OPENCL_KERNEL = Pattern.compile("__kernel\\s+void\\s+(\\w+)\\s*\\(");
    private static final Pattern PTX_ENTRY = Pattern.compile("\\.entry\\s+(\\w+)\\s*\\(");

    private KernelFiles() {
    }

    /** One compilation unit: the kernel's (method's) name, its source, and the language it is in. */
    public record Unit(String kernel, String source, String extension) {
    }

    /**
     * Cuts TornadoVM's printed kernels into compilation units. An OpenCL unit starts at its first
     * {@code #pragma} line (or at {@code __kernel} when it has none), a PTX module at {@code .version}.
     */
    public static List<Unit> split(String text) {
        List<StringBuilder> parts = new ArrayList<>();
        StringBuilder current = null;
        boolean hasKernel = false;
        String previous = "";
        for (String line : text.split("\n", -1)) {
            String s = line.strip();
            boolean pragmaStart = s.startsWith("#pragma") && !previous.startsWith("#pragma");
            boolean kernelStart = (s.startsWith("__kernel") && !previous.startsWith("#pragma")) || s.startsWith(".version");
            if (current == null || (hasKernel && (pragmaStart || kernelStart))) {
                current = new StringBuilder();
                parts.add(current);
                hasKernel = false;
            }
            current.append(line).append('\n');
            if (OPENCL_KERNEL.matcher(s).find() || PTX_ENTRY.matcher(s).find()) {
                hasKernel = true;
            }
            if (!s.isEmpty()) {
                previous = s;
            }
        }
        List<Unit> units = new ArrayList<>();
        for (StringBuilder p : parts) {
            String source = p.toString().strip() + "\n";
            Matcher cl = OPENCL_KERNEL.matcher(source);
            Matcher ptx = PTX_ENTRY.matcher(source);
            if (cl.find()) {
                units.add(new Unit(cl.group(1), source, "cl"));
            } else if (ptx.find()) {
                units.add(new Unit(ptx.group(1), source, "ptx"));
            }
        }
        return units;
    }

    /**
     * Writes the units a graph's first execution produced, one file per task, and returns the files.
     * When the number of units is not the number of tasks (the mapping would be a guess), files are named
     * {@code <graph>.kernel<NN>.<kernel>} instead and the first file says why.
     */
    public static List<Path> write(Path dir, String graph, List<String> tasks, List<Unit> units, String device) {
        boolean byTask = units.size() == tasks.size();
        List<Path> files = new ArrayList<>();
        for (int j = 0; j < units.size(); j++) {
            Unit u = units.get(j);
            String name = byTask ? graph + "." + tasks.get(j) : String.format(Locale.ROOT, "%s.kernel%02d.%s", graph, j + 1, u.kernel());
            String header = "// " + (byTask ? "task " + graph + "." + tasks.get(j) + ": " : "") + "kernel " + u.kernel()
                    + ", as TornadoVM generated it for " + device + "\n"
                    + (byTask || j > 0 ? "" : "// graph " + graph + " has " + tasks.size() + " tasks but TornadoVM printed "
                            + units.size() + " kernels: files are numbered in the order TornadoVM compiled them\n");
            Path file = dir.resolve(name + "." + u.extension());
            try {
                Files.writeString(file, header + u.source(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("--print-kernels: cannot write " + file + ": " + IoErrors.reason(e), e);
            }
            files.add(file);
        }
        return files;
    }
}
