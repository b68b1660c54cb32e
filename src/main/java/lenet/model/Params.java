package lenet.model;

import java.util.List;
import java.util.Random;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * The ten parameter tensors of {@link LeNet#PARAMS} (or their gradients), one {@link FloatArray} each,
 * in PyTorch's layouts. Fields are named after the layer: c1 = first conv, f1..f3 = the linear layers.
 */
public final class Params {
    public final FloatArray c1w, c1b, c2w, c2b, f1w, f1b, f2w, f2b, f3w, f3b;

    private Params() {
        FloatArray[] t = new FloatArray[LeNet.PARAMS.size()];
        for (int j = 0; j < t.length; j++) {
            t[j] = new FloatArray(LeNet.PARAMS.get(j).size());
            t[j].init(0.0f);
        }
        c1w = t[0]; c1b = t[1]; c2w = t[2]; c2b = t[3]; f1w = t[4]; f1b = t[5]; f2w = t[6]; f2b = t[7]; f3w = t[8]; f3b = t[9];
    }

    /** All tensors, in {@link LeNet#PARAMS} order. */
    public List<FloatArray> tensors() {
        return List.of(c1w, c1b, c2w, c2b, f1w, f1b, f2w, f2b, f3w, f3b);
    }

    public static Params zeros() {
        return new Params();
    }

    /**
     * d2l's initialisation: weights Xavier-uniform, U(−a, a) with a = √(6 / (fan_in + fan_out)); biases
     * as PyTorch's default for Conv2d/Linear, U(−1/√fan_in, 1/√fan_in). The same seed gives the same values.
     */
    public static Params xavier(long seed) {
        Params p = new Params();
        Random random = new Random(seed);
        List<FloatArray> t = p.tensors();
        for (int j = 0; j < t.size(); j++) {
            LeNet.Param spec = LeNet.PARAMS.get(j);
            double a = spec.bias() ? 1.0 / Math.sqrt(spec.fanIn()) : Math.sqrt(6.0 / (spec.fanIn() + spec.fanOut()));
            FloatArray tensor = t.get(j);
            for (int i = 0; i < tensor.getSize(); i++) {
                tensor.set(i, (float) ((2.0 * random.nextDouble() - 1.0) * a));
            }
        }
        return p;
    }

    /** A deep copy. */
    public Params copy() {
        Params p = new Params();
        p.copyFrom(this);
        return p;
    }

    public void copyFrom(Params other) {
        List<FloatArray> to = tensors();
        List<FloatArray> from = other.tensors();
        for (int j = 0; j < to.size(); j++) {
            to.get(j).getSegment().copyFrom(from.get(j).getSegment());
        }
    }

    /** Largest |a − b| over all elements of all tensors. */
    public float maxAbsDiff(Params other) {
        float max = 0.0f;
        List<FloatArray> a = tensors();
        List<FloatArray> b = other.tensors();
        for (int j = 0; j < a.size(); j++) {
            for (int i = 0; i < a.get(j).getSize(); i++) {
                max = Math.max(max, Math.abs(a.get(j).get(i) - b.get(j).get(i)));
            }
        }
        return max;
    }
}
