package uk.ac.manchester.tornado.api.math;

/** Float math that TornadoVM maps to device intrinsics; on the JVM plain {@link Math}. */
public final class TornadoMath {
    private TornadoMath() {
    }

    public static float exp(float x) {
        return (float) Math.exp(x);
    }

    public static float log(float x) {
        return (float) Math.log(x);
    }

    public static float max(float a, float b) {
        return Math.max(a, b);
    }

    public static float min(float a, float b) {
        return Math.min(a, b);
    }

    public static float abs(float x) {
        return Math.abs(x);
    }

    public static float sqrt(float x) {
        return (float) Math.sqrt(x);
    }
}
