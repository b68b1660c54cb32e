package uk.ac.manchester.tornado.api.types.arrays;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** Off-heap array of floats; like TornadoVM's, a new array is not guaranteed to be zeroed: call {@link #init} or {@link #clear}. */
public final class FloatArray extends TornadoNativeArray {
    private static final int ELEMENT_BYTES = 4;
    private static final long BASE_INDEX = ARRAY_HEADER / ELEMENT_BYTES;

    private MemorySegment segment; // the device copy while the stand-in runs a task on it
    private final int numberOfElements;

    public FloatArray(int numberOfElements) {
        if (numberOfElements < 0) {
            throw new IllegalArgumentException("negative size: " + numberOfElements);
        }
        this.numberOfElements = numberOfElements;
        this.segment = Arena.ofAuto().allocate(ARRAY_HEADER + (long) numberOfElements * ELEMENT_BYTES, 64);
        segment.set(JAVA_INT, 0, numberOfElements);
    }

    public FloatArray(FloatArray... arrays) {
        this(totalSize(arrays));
        long offset = ARRAY_HEADER;
        for (FloatArray a : arrays) {
            MemorySegment.copy(a.segment, ARRAY_HEADER, segment, offset, a.getNumBytesOfSegment());
            offset += a.getNumBytesOfSegment();
        }
    }

    private static int totalSize(FloatArray... arrays) {
        int n = 0;
        for (FloatArray a : arrays) {
            n += a.numberOfElements;
        }
        return n;
    }

    public static FloatArray fromArray(float[] values) {
        FloatArray array = new FloatArray(values.length);
        MemorySegment.copy(values, 0, array.segment, JAVA_FLOAT, ARRAY_HEADER, values.length);
        return array;
    }

    public static FloatArray fromElements(float... values) {
        return fromArray(values);
    }

    public static FloatArray fromSegment(MemorySegment source) {
        FloatArray array = new FloatArray((int) (source.byteSize() / ELEMENT_BYTES));
        MemorySegment.copy(source, 0, array.segment, ARRAY_HEADER, source.byteSize());
        return array;
    }

    public static void initialize(FloatArray array, float value) {
        array.init(value);
    }

    public static FloatArray concat(FloatArray... arrays) {
        return new FloatArray(arrays);
    }

    public float get(int index) {
        return segment.getAtIndex(JAVA_FLOAT, BASE_INDEX + index);
    }

    public void set(int index, float value) {
        segment.setAtIndex(JAVA_FLOAT, BASE_INDEX + index, value);
    }

    public void init(float value) {
        for (int i = 0; i < numberOfElements; i++) {
            set(i, value);
        }
    }

    @Override
    public void clear() {
        init(0f);
    }

    public float[] toHeapArray() {
        return getSegment().toArray(JAVA_FLOAT);
    }

    public FloatArray slice(int offset, int length) {
        if (offset < 0 || length < 0 || offset + length > numberOfElements) {
            throw new IndexOutOfBoundsException("slice " + offset + "+" + length + " of " + numberOfElements);
        }
        FloatArray array = new FloatArray(length);
        MemorySegment.copy(segment, ARRAY_HEADER + (long) offset * ELEMENT_BYTES, array.segment, ARRAY_HEADER, (long) length * ELEMENT_BYTES);
        return array;
    }

    @Override
    MemorySegment swapSegment(MemorySegment replacement) {
        MemorySegment old = segment;
        segment = replacement;
        return old;
    }

    @Override
    public int getSize() {
        return numberOfElements;
    }

    @Override
    public MemorySegment getSegment() {
        return segment.asSlice(ARRAY_HEADER);
    }

    @Override
    public MemorySegment getSegmentWithHeader() {
        return segment;
    }

    @Override
    public long getNumBytesOfSegment() {
        return (long) numberOfElements * ELEMENT_BYTES;
    }

    @Override
    public long getNumBytesOfSegmentWithHeader() {
        return segment.byteSize();
    }

    @Override
    public int getElementSize() {
        return ELEMENT_BYTES;
    }
}
