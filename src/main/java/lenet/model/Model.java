package lenet.model;

import static lenet.model.LeNet.C1;
import static lenet.model.LeNet.C2;
import static lenet.model.LeNet.CLASSES;
import static lenet.model.LeNet.F1;
import static lenet.model.LeNet.F2;
import static lenet.model.LeNet.FLAT;
import static lenet.model.LeNet.H1;
import static lenet.model.LeNet.H2;
import static lenet.model.LeNet.IMAGE;
import static lenet.model.LeNet.P1;
import static lenet.model.LeNet.P2;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import lenet.model.LeNet.Layer;
import lenet.model.LeNet.Param;

/**
 * The networks lenet trains ({@code --model}): d2l's LeNet-5 and two of its variations, all with
 * {@link LeNet}'s convolutions, linear layers and shapes.
 *
 * <ul>
 * <li>{@code lenet}: d2l's LeNet-5, sigmoids and 2×2 average pooling.
 * <li>{@code lenet-bn}: d2l §8.5, a batch norm after every convolution and hidden linear layer, before
 * its sigmoid (batch statistics in training, running estimates in evaluation). d2l's chapter also drops
 * conv1's padding (16·4·4 features); here the shapes stay LeNet's, so that batch norm is the only
 * difference.
 * <li>{@code lenet-relu}: d2l's exercise, ReLU instead of every sigmoid and 2×2 max-pooling instead of
 * average pooling.
 * </ul>
 */
public enum Model {
    LENET("lenet", "LeNet-5", Activation.SIGMOID, Pool.AVERAGE, false, 0.9f),
    LENET_BN("lenet-bn", "LeNet-5 with batch norm (lenet-bn)", Activation.SIGMOID, Pool.AVERAGE, true, 1.0f),
    LENET_RELU("lenet-relu", "LeNet-5 with ReLU and max-pooling (lenet-relu)", Activation.RELU, Pool.MAX, false, 0.3f);

    /** The activation after each convolution and hidden linear layer. */
    public enum Activation {
        SIGMOID("Sigmoid"), RELU("ReLU");

        public final String layer;

        Activation(String layer) {
            this.layer = layer;
        }
    }

    /** The 2×2, stride-2 pooling after each convolution's activation. */
    public enum Pool {
        AVERAGE("AvgPool2d"), MAX("MaxPool2d");

        public final String layer;

        Pool(String layer) {
            this.layer = layer;
        }
    }

    private final String id;
    private final String title;
    private final Activation activation;
    private final Pool pool;
    private final boolean batchNorm;
    private final float lr;
    private final List<Param> params;

    Model(String id, String title, Activation activation, Pool pool, boolean batchNorm, float lr) {
        this.id = id;
        this.title = title;
        this.activation = activation;
        this.pool = pool;
        this.batchNorm = batchNorm;
        this.lr = lr;
        List<Param> p = new ArrayList<>(LeNet.PARAMS);
        if (batchNorm) {
            p.addAll(LeNet.batchNorm("bn1", C1));
            p.addAll(LeNet.batchNorm("bn2", C2));
            p.addAll(LeNet.batchNorm("bn3", F1));
            p.addAll(LeNet.batchNorm("bn4", F2));
        }
        this.params = List.copyOf(p);
    }

    /** The name {@code --model} takes and checkpoints record. */
    public String id() {
        return id;
    }

    /** How a run names it: "LeNet-5", "LeNet-5 with batch norm (lenet-bn)". */
    public String title() {
        return title;
    }

    public Activation activation() {
        return activation;
    }

    public Pool pool() {
        return pool;
    }

    public boolean batchNorm() {
        return batchNorm;
    }

    /** The learning rate this model trains with by default (d2l's, or measured against PyTorch: README). */
    public float defaultLr() {
        return lr;
    }

    /**
     * Every tensor of the model, in the order checkpoints store them: {@link LeNet#PARAMS}, then for batch
     * norm bn1..bn4's scale, shift, running mean and running variance.
     */
    public List<Param> params() {
        return params;
    }

    /**
     * Whether {@code p} is the bias of a convolution or linear layer whose output a batch norm normalises:
     * the batch norm subtracts it again, so its gradient is zero in exact arithmetic (rounding noise in float),
     * and it stays where it was initialised.
     */
    public boolean feedsBatchNorm(Param p) {
        return batchNorm && p.bias() && !p.layer().equals("fc3");
    }

    /** The values of all its tensors (trained or not). */
    public int parameterCount() {
        return params.stream().mapToInt(Param::size).sum();
    }

    /** The values SGD trains. */
    public int trainedCount() {
        return params.stream().filter(p -> p.role().trained()).mapToInt(Param::size).sum();
    }

    /** The layers in the order d2l prints them, with the output shape of each for one example. */
    public List<Layer> layers() {
        List<Layer> l = new ArrayList<>();
        l.add(new Layer("Reshape", 1, IMAGE, IMAGE));
        block(l, new Layer("Conv2d", C1, H1, H1), "BatchNorm2d");
        l.add(new Layer(pool.layer, C1, P1, P1));
        block(l, new Layer("Conv2d", C2, H2, H2), "BatchNorm2d");
        l.add(new Layer(pool.layer, C2, P2, P2));
        l.add(new Layer("Flatten", FLAT));
        block(l, new Layer("Linear", F1), "BatchNorm1d");
        block(l, new Layer("Linear", F2), "BatchNorm1d");
        l.add(new Layer("Linear", CLASSES));
        return List.copyOf(l);
    }

    private void block(List<Layer> l, Layer layer, String norm) {
        l.add(layer);
        if (batchNorm) {
            l.add(new Layer(norm, layer.shape()));
        }
        l.add(new Layer(activation.layer, layer.shape()));
    }

    /** The names {@code --model} takes, for messages: "lenet, lenet-bn or lenet-relu". */
    public static String choices() {
        List<String> ids = Arrays.stream(values()).map(Model::id).toList();
        return String.join(", ", ids.subList(0, ids.size() - 1)) + " or " + ids.get(ids.size() - 1);
    }

    /** The model called {@code id}. */
    public static Model named(String id) {
        for (Model m : values()) {
            if (m.id.equals(id)) {
                return m;
            }
        }
        throw new IllegalArgumentException("no model '" + id + "': expected " + choices());
    }

    @Override
    public String toString() {
        return id;
    }
}
