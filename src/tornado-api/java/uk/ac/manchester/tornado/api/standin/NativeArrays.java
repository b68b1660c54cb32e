package uk.ac.manchester.tornado.api.standin;

import java.lang.foreign.MemorySegment;
import java.util.function.BiFunction;

import uk.ac.manchester.tornado.api.types.arrays.TornadoNativeArray;

/** Stand-in only: lets the device memory swap an array's backing segment (the arrays' package installs it). */
public final class NativeArrays {
    private static BiFunction<TornadoNativeArray, MemorySegment, MemorySegment> swap;

    private NativeArrays() {
    }

    public static void install(BiFunction<TornadoNativeArray, MemorySegment, MemorySegment> swapper) {
        if (swap == null) {
            swap = swapper;
        }
    }

    /** Backs {@code array} with {@code segment} (a segment of the same size, header included); returns the segment it had. */
    public static MemorySegment swap(TornadoNativeArray array, MemorySegment segment) {
        return swap.apply(array, segment);
    }
}
