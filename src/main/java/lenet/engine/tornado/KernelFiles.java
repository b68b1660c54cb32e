package lenet.engine.tornado;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import lenet.data.IoErrors;

import uk.ac.manchester.tornado.api.types.arrays.TornadoNativeArray;

/**
 * {@code --print-kernels DIR}: the code TornadoVM generated, one file per task. TornadoVM 5.2 appends every
 * kernel it compiles to the single file named by {@code -Dtornado.print.kernel.dir} (despite the name, a
 * file), each as a complete compilation unit named after the Java method ({@code forward},
 * {@code backwardWeight}), not after the task. It compiles one task after the other: the graphs of a plan
 * in plan order ({@code withPreCompilation} and each graph's first execution alike), a graph's tasks in
 * task order. So the units it appended while compiling some graphs are their tasks', in order:
 * {@link #split} cuts them apart, {@link #attribute} hands them to the tasks, checking the count and each
 * kernel's parameters against the task's arguments, and {@link #write} names each file
 * {@code <graph>.<task id>.cl} (OpenCL C) or {@code .ptx}.
 */
public final class KernelFiles {
    private static final Pattern OPENCL_KERNEL = Pattern.compile("__kernel\\s+void\\s+(\\w+)\\s*\\(([^)]*)\\)");
    private static final Pattern PTX_ENTRY = Pattern.compile("\\.entry\\s+(\\w+)\\s*\\(");
    /** The parameters TornadoVM's OpenCL backend puts before the Java method's own. */
    private static final Set<String> TORNADO_PARAMETERS = Set.of("_kernel_context", "_constant_region", "_local_region", "_atomics");
    private static final Pattern SCALAR = Pattern.compile("__private\\s+(?:const\\s+)?(\\w+)\\s+\\w+");

    private KernelFiles() {
    }

    /**
     * One compilation unit: the kernel's (method's) name, its source, the language it is in, and the kinds of
     * the method's parameters ({@link #signature}), or null where the language's are not read (PTX).
     */
    public record Unit(String kernel, String source, String extension, String parameters) {
    }

    /** A task of a graph: its id and the kinds of its arguments, one letter each ({@link #signature}). */
    public record Task(String id, String arguments) {
    }

    /** A graph of the plan: its name and its tasks, in the order TornadoVM compiles them. */
    public record Graph(String name, List<Task> tasks) {
        public Graph {
            tasks = List.copyOf(tasks);
        }
    }

    /**
     * The kernels of some graphs handed to their tasks: {@code units.get(g).get(t)} is task t of graph g.
     * When they could not be ({@code problem} says why), {@code units} is empty and {@code all} holds every
     * unit in the order TornadoVM printed them.
     */
    public record Attribution(List<Graph> graphs, List<List<Unit>> units, List<Unit> all, String problem) {
        public boolean complete() {
            return problem == null;
        }
    }

    /**
     * The kinds of a task's arguments as a kernel's parameters show them: {@code a} an array (on the device,
     * a {@code __global} buffer), {@code i}, {@code f}, {@code l}, {@code d}, {@code s} an int, float, long,
     * double or short scalar, {@code ?} anything else (matches every kind).
     */
    public static String signature(Object[] args) {
        StringBuilder b = new StringBuilder();
        for (Object a : args) {
            b.append(a instanceof TornadoNativeArray || (a != null && a.getClass().isArray()) ? 'a'
                    : a instanceof Integer ? 'i' : a instanceof Float ? 'f' : a instanceof Long ? 'l'
                    : a instanceof Double ? 'd' : a instanceof Short ? 's' : '?');
        }
        return b.toString();
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
            if (s.startsWith("__kernel") || PTX_ENTRY.matcher(s).find()) {
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
                units.add(new Unit(cl.group(1), source, "cl", parameters(cl.group(2))));
            } else if (ptx.find()) {
                units.add(new Unit(ptx.group(1), source, "ptx", null));
            }
        }
        return units;
    }

    /** The kinds of an OpenCL kernel's parameters after TornadoVM's own, as {@link #signature} writes them. */
    private static String parameters(String list) {
        StringBuilder b = new StringBuilder();
        for (String p : list.split(",")) {
            String s = p.strip();
            String name = s.replaceAll(".*?(\\w+)$", "$1");
            if (s.isEmpty() || TORNADO_PARAMETERS.contains(name)) {
                continue;
            }
            Matcher scalar = SCALAR.matcher(s);
            b.append(s.startsWith("__global") || s.startsWith("__constant") || s.contains("*") ? 'a'
                    : scalar.matches() ? switch (scalar.group(1)) {
                        case "int" -> 'i';
                        case "float" -> 'f';
                        case "long" -> 'l';
                        case "double" -> 'd';
                        case "short" -> 's';
                        default -> '?';
                    } : '?');
        }
        return b.toString();
    }

    /**
     * Hands the units TornadoVM printed while compiling {@code graphs} (in plan order) to their tasks: the
     * i-th unit is the i-th task's, counting through the graphs. It checks what can be checked: as many
     * units as tasks, and each kernel's parameters of the kinds of its task's arguments.
     */
    public static Attribution attribute(List<Graph> graphs, List<Unit> units) {
        int tasks = graphs.stream().mapToInt(g -> g.tasks().size()).sum();
        if (units.size() != tasks) {
            return new Attribution(graphs, List.of(), List.copyOf(units), String.format(Locale.ROOT, "%s %s %s %d tasks but TornadoVM printed %d kernels",
                    graphs.size() == 1 ? "graph" : "graphs", names(graphs), graphs.size() == 1 ? "has" : "have", tasks, units.size()));
        }
        List<List<Unit>> byGraph = new ArrayList<>();
        int next = 0;
        for (Graph g : graphs) {
            List<Unit> mine = units.subList(next, next + g.tasks().size());
            for (int t = 0; t < mine.size(); t++) {
                Task task = g.tasks().get(t);
                Unit u = mine.get(t);
                if (u.parameters() != null && !matches(task.arguments(), u.parameters())) {
                    return new Attribution(graphs, List.of(), List.copyOf(units), String.format(Locale.ROOT,
                            "kernel %d, %s, has parameters of kinds %s, but task %s.%s, the %d-th to compile, has arguments %s",
                            next + t + 1, u.kernel(), u.parameters(), g.name(), task.id(), next + t + 1, task.arguments()));
                }
            }
            byGraph.add(List.copyOf(mine));
            next += mine.size();
        }
        return new Attribution(graphs, List.copyOf(byGraph), List.copyOf(units), null);
    }

    private static boolean matches(String arguments, String parameters) {
        if (arguments.length() != parameters.length()) {
            return false;
        }
        for (int j = 0; j < arguments.length(); j++) {
            char a = arguments.charAt(j);
            char p = parameters.charAt(j);
            if (a != p && a != '?' && p != '?') {
                return false;
            }
        }
        return true;
    }

    /** The graphs' names, comma-separated. */
    public static String names(List<Graph> graphs) {
        return String.join(", ", graphs.stream().map(Graph::name).toList());
    }

    /**
     * Writes the kernels, one file per task ({@code <graph>.<task>.cl}), and returns the files, graph by
     * graph. When they could not be attributed, every unit goes to a numbered file instead,
     * {@code <graph or "plan">.kernel<NN>.<kernel>.cl} in the order TornadoVM printed them, and the first
     * file says why.
     */
    public static List<List<Path>> write(Path dir, Attribution a, String device) {
        List<List<Path>> files = new ArrayList<>();
        if (a.complete()) {
            for (int g = 0; g < a.graphs().size(); g++) {
                Graph graph = a.graphs().get(g);
                List<Path> mine = new ArrayList<>();
                for (int t = 0; t < graph.tasks().size(); t++) {
                    Unit u = a.units().get(g).get(t);
                    String task = graph.name() + "." + graph.tasks().get(t).id();
                    mine.add(write(dir.resolve(task + "." + u.extension()),
                            "// task " + task + ": kernel " + u.kernel() + ", as TornadoVM generated it for " + device + "\n" + u.source()));
                }
                files.add(List.copyOf(mine));
            }
            return List.copyOf(files);
        }
        String prefix = a.graphs().size() == 1 ? a.graphs().get(0).name() : "plan";
        List<Path> numbered = new ArrayList<>();
        for (int j = 0; j < a.all().size(); j++) {
            Unit u = a.all().get(j);
            String header = "// kernel " + u.kernel() + ", as TornadoVM generated it for " + device + "\n"
                    + (j > 0 ? "" : "// " + a.problem() + ": files are numbered in the order TornadoVM compiled them\n");
            numbered.add(write(dir.resolve(String.format(Locale.ROOT, "%s.kernel%02d.%s.%s", prefix, j + 1, u.kernel(), u.extension())), header + u.source()));
        }
        files.add(List.copyOf(numbered));
        return List.copyOf(files);
    }

    private static Path write(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("--print-kernels: cannot write " + file + ": " + IoErrors.reason(e), e);
        }
        return file;
    }
}
