package lenet.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * The tensors of a {@link Model} ({@link Model#params()}), or their gradients, one {@link FloatArray}
 * each, in PyTorch's layouts. Fields are named after the layer: c1 = first conv, f1..f3 = the linear
 * layers, bn1..bn4 the batch norms of {@code lenet-bn} (null in the other models).
 */
public final class Params {
    /** A batch norm's tensors: scale γ, shift β, running mean and running variance, one value per channel. */
    public record Norm(FloatArray weight, FloatArray bias, FloatArray runningMean, FloatArray runningVar) {
    }

    public final Model model;
    public final FloatArray c1w, c1b, c2w, c2b, f1w, f1b, f2w, f2b, f3w, f3b;
    public final Norm bn1, bn2, bn3, bn4;
    private final List<FloatArray> all;

    private Params(Model model) {
        this.model = model;
        List<FloatArray> t = new ArrayList<>();
        for (LeNet.Param p : model.params()) {
            FloatArray a = new FloatArray(p.size());
            a.init(0.0f);
            t.add(a);
        }
        all = List.copyOf(t);
        c1w = t.get(0); c1b = t.get(1); c2w = t.get(2); c2b = t.get(3); f1w = t.get(4); f1b = t.get(5);
        f2w = t.get(6); f2b = t.get(7); f3w = t.get(8); f3b = t.get(9);
        bn1 = norm(t, 10);
        bn2 = norm(t, 14);
        bn3 = norm(t, 18);
        bn4 = norm(t, 22);
    }

    private static Norm norm(List<FloatArray> t, int first) {
        return t.size() >= first + 4 ? new Norm(t.get(first), t.get(first + 1), t.get(first + 2), t.get(first + 3)) : null;
    }

    /** All tensors, in {@link Model#params()} order. */
    public List<FloatArray> tensors() {
        return all;
    }

    /** The zeros of {@code lenet}'s tensors. */
    public static Params zeros() {
        return zeros(Model.LENET);
    }

    /** All zeros (gradients start so). */
    public static Params zeros(Model model) {
        return new Params(model);
    }

    /** {@link #xavier(Model, long)} of {@code lenet}. */
    public static Params xavier(long seed) {
        return xavier(Model.LENET, seed);
    }

    /**
     * d2l's initialisation: weights Xavier-uniform, U(−a, a) with a = √(6 / (fan_in + fan_out)); biases
     * as PyTorch's default for Conv2d/Linear, U(−1/√fan_in, 1/√fan_in), drawn in {@link LeNet#PARAMS} order
     * from one {@link Random}: the same seed gives the same conv and linear values in every model. Batch
     * norms as PyTorch's: γ = 1, β = 0, running mean 0, running variance 1.
     */
    public static Params xavier(Model model, long seed) {
        Params p = new Params(model);
        Random random = new Random(seed);
        List<LeNet.Param> specs = model.params();
        for (int j = 0; j < specs.size(); j++) {
            LeNet.Param spec = specs.get(j);
            FloatArray tensor = p.all.get(j);
            switch (spec.role()) {
                case WEIGHT, BIAS -> {
                    double a = spec.bias() ? 1.0 / Math.sqrt(spec.fanIn()) : Math.sqrt(6.0 / (spec.fanIn() + spec.fanOut()));
                    for (int i = 0; i < tensor.getSize(); i++) {
                        tensor.set(i, (float) ((2.0 * random.nextDouble() - 1.0) * a));
                    }
                }
                case NORM_SCALE, RUNNING_VAR -> tensor.init(1.0f);
                case NORM_SHIFT, RUNNING_MEAN -> tensor.init(0.0f);
            }
        }
        return p;
    }

    /** A deep copy. */
    public Params copy() {
        Params p = new Params(model);
        p.copyFrom(this);
        return p;
    }

    /** Copies every tensor of {@code other}, a parameter set of the same model. */
    public void copyFrom(Params other) {
        if (other.model != model) {
            throw new IllegalArgumentException("parameters of " + other.model + " cannot replace those of " + model);
        }
        for (int j = 0; j < all.size(); j++) {
            all.get(j).getSegment().copyFrom(other.all.get(j).getSegment());
        }
    }

    /** Largest |a − b| over all elements of all tensors. */
    public float maxAbsDiff(Params other) {
        float max = 0.0f;
        for (int j = 0; j < all.size(); j++) {
            FloatArray a = all.get(j);
            FloatArray b = other.all.get(j);
            for (int i = 0; i < a.getSize(); i++) {
                max = Math.max(max, Math.abs(a.get(i) - b.get(i)));
            }
        }
        return max;
    }
}
