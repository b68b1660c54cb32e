package lenet.engine;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import lenet.kernels.Batch;
import lenet.model.LeNet;
import lenet.model.Params;
import uk.ac.manchester.tornado.api.types.arrays.ByteArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * The forward pass alone, on JVM threads, for any images: class probabilities and predicted classes
 * ({@code lenet eval}, {@code lenet predict}). The same step graph as training ({@link LeNetGraph#forward});
 * the images are cut into one contiguous part per thread, each run in batches of up to {@link #BATCH}.
 */
public final class Inference {
    public static final int BATCH = 256;

    private Inference() {
    }

    /**
     * @param probabilities {@code [count][10]} example-major: softmax of the logits
     * @param predicted     the class of the largest logit for each example (the first on a tie, as training counts)
     */
    public record Result(int count, float[] probabilities, int[] predicted) {
        public float probability(int example, int c) {
            return probabilities[example * LeNet.CLASSES + c];
        }
    }

    /** Classifies the first {@code count} images of {@code images} (example-major 28×28 bytes, as a data set holds them). */
    public static Result run(Params params, ByteArray images, int count, int threads, KernelSet kernels) {
        if (count < 0 || (long) count * LeNet.PIXELS > images.getSize()) {
            throw new IllegalArgumentException(count + " images, " + images.getSize() + " pixels");
        }
        FloatArray levels = EngineData.levelTable();
        return run(count, threads, (r, labels, order, cursor, b, n) ->
                r.task("batch.gather", kernels.gather(), images, levels, labels, order, cursor, b.x, b.labels, n, LeNet.PIXELS),
                params, kernels);
    }

    /**
     * Classifies the first {@code count} images of {@code pixels} (example-major 28×28, values in [0, 1]):
     * images that are not a data set's bytes, such as {@code predict}'s pictures.
     */
    public static Result run(Params params, float[] pixels, int count, int threads, KernelSet kernels) {
        if (count < 0 || (long) count * LeNet.PIXELS > pixels.length) {
            throw new IllegalArgumentException(count + " images, " + pixels.length + " pixels");
        }
        FloatArray images = new FloatArray(Math.max(1, count) * LeNet.PIXELS);
        MemorySegment.copy(pixels, 0, images.getSegment(), ValueLayout.JAVA_FLOAT, 0L,
                count * LeNet.PIXELS);
        return run(count, threads, (r, labels, order, cursor, b, n) ->
                r.task("batch.gather", Inference::gatherFloats, images, labels, order, cursor, b.x, b.labels, n, LeNet.PIXELS),
                params, kernels);
    }

    /**
     * {@link Batch#gather} for images already in floats: x[p][i] = images[order[cursor + i]][p]. Only the
     * JVM runs it (inference runs on JVM threads).
     */
    static void gatherFloats(FloatArray images, IntArray allLabels, IntArray order, IntArray cursor, FloatArray x, IntArray labels,
            int n, int pixels) {
        for (int p = 0; p < pixels; p++) {
            for (int i = 0; i < n; i++) {
                int example = order.get(cursor.get(0) + i);
                x.set(p * n + i, images.get(example * pixels + p));
                if (p == 0) {
                    labels.set(i, allLabels.get(example));
                }
            }
        }
    }

    /** How a program starts: the task that gathers a batch of {@code n} images, from the cursor on, into {@code b}. */
    @FunctionalInterface
    private interface Gather {
        void add(Recorder r, IntArray labels, IntArray order, IntArray cursor, Activations b, int n);
    }

    private static Result run(int count, int threads, Gather gather, Params params, KernelSet kernels) {
        IntArray order = new IntArray(Math.max(1, count));
        IntArray labels = new IntArray(Math.max(1, count));
        for (int i = 0; i < count; i++) {
            order.set(i, i);
            labels.set(i, 0); // the loss is computed and ignored: no labels here
        }
        Result result = new Result(count, new float[count * LeNet.CLASSES], new int[count]);
        int parts = Math.max(1, Math.min(threads, (count + BATCH - 1) / BATCH));
        List<Runnable> jobs = new ArrayList<>();
        for (int t = 0; t < parts; t++) {
            int from = (int) ((long) count * t / parts);
            int to = (int) ((long) count * (t + 1) / parts);
            jobs.add(() -> new Part(params, kernels, gather, order, labels).run(from, to, result));
        }
        runAll(jobs);
        return result;
    }

    /** One thread's programs, one per batch size. */
    private record Part(Params params, KernelSet kernels, Gather gather, IntArray order, IntArray labels,
            IntArray cursor, Map<Integer, Program> programs) {
        Part(Params params, KernelSet kernels, Gather gather, IntArray order, IntArray labels) {
            this(params, kernels, gather, order, labels, new IntArray(1), new HashMap<>());
        }

        void run(int from, int to, Result result) {
            for (int start = from; start < to; start += BATCH) {
                int n = Math.min(BATCH, to - start);
                Program p = programs.computeIfAbsent(n, this::program);
                cursor.set(0, start);
                p.recorder.run();
                Activations b = p.b;
                for (int i = 0; i < n; i++) {
                    int best = 0;
                    for (int c = 0; c < LeNet.CLASSES; c++) {
                        result.probabilities[(start + i) * LeNet.CLASSES + c] = b.probs.get(c * n + i);
                        if (b.logits.get(c * n + i) > b.logits.get(best * n + i)) {
                            best = c;
                        }
                    }
                    result.predicted[start + i] = best;
                }
            }
        }

        private Program program(int n) {
            Activations b = new Activations(params.model, n);
            Recorder r = new Recorder();
            gather.add(r, labels, order, cursor, b, n);
            LeNetGraph.forward(r, kernels, params, b);
            return new Program(b, r);
        }
    }

    private record Program(Activations b, Recorder recorder) {
    }

    private static void runAll(List<Runnable> jobs) {
        if (jobs.size() == 1) {
            jobs.getFirst().run();
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(jobs.size(), r -> {
            Thread th = new Thread(r, "lenet-inference");
            th.setDaemon(true);
            return th;
        });
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (Runnable j : jobs) {
                futures.add(pool.submit(j));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }
}
