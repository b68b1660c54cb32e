package lenet.kernels.cpu;

/** What the CPU twins need of the batch they are given: their vector width, and the smallest shard they serve well. */
public final class Vectors {
    private Vectors() {
    }

    /** Floats in one vector of this machine ({@code FloatVector.SPECIES_PREFERRED}: 16 with AVX-512, 8 with AVX2). */
    public static final int LANES = Simd.V;

    /**
     * The smallest shard of a batch a JVM engine thread should get with the twins: two vectors of
     * examples. Below one vector the twins hand the work to the plain kernels (30 to 100 times slower);
     * between one and two, up to half the examples are the scalar tail.
     */
    public static final int MIN_SHARD = 2 * LANES;
}
