package uk.ac.manchester.tornado.api.types.arrays;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** Off-heap array of ints; like TornadoVM's, a new array is not guaranteed to be zeroed: call {@link #init} or {@link #clear}. */
public final class IntArray extends TornadoNativeArray {
    private static final int ELEMENT_BYTES = 4;
    private static final long BASE_INDEX = ARRAY_HEADER / ELEMENT_BYTES;

    private MemorySegment segment; // the device copy while the stand-in runs a task on it
    private final int numberOfElements;

    public IntArray(int numberOfElements) {
        if (numberOfElements < 0) {
            throw new IllegalArgumentException("negative size: " + numberOfElements);
        }
        this.numberOfElements = numberOfElements;
        this.segment = Arena.ofAuto().allocate(ARRAY_HEADER + (long) numberOfElements * ELEMENT_BYTES, 64);
        segment.set(JAVA_INT, 0, numberOfElements);
    }

    public IntArray(IntArray... arrays) {
        this(totalSize(arrays));
        long offset = ARRAY_HEADER;
        for (IntArray a : arrays) {
            MemorySegment.copy(a.segment, ARRAY_HEADER, segment, offset, a.getNumBytesOfSegment());
            offset += a.getNumBytesOfSegment();
        }
    }

    private static int totalSize(IntArray... arrays) {
        int n = 0;
        for (IntArray a : arrays) {
            n += a.numberOfElements;
        }
        return n;
    }

    public static IntArray fromArray(int[] values) {
        IntArray array = new IntArray(values.length);
        MemorySegment.copy(values, 0, array.segment, JAVA_INT, ARRAY_HEADER, values.length);
        return array;
    }

    public static IntArray fromElements(int... values) {
        return fromArray(values);
    }

    public static IntArray fromSegment(MemorySegment source) {
        IntArray array = new IntArray((int) (source.byteSize() / ELEMENT_BYTES));
        MemorySegment.copy(source, 0, array.segment, ARRAY_HEADER, source.byteSize());
        return array;
    }

    public static void initialize(IntArray array, int value) {
        array.init(value);
    }

    public static IntArray concat(IntArray... arrays) {
        return new IntArray(arrays);
    }

    public int get(int index) {
        return segment.getAtIndex(JAVA_INT, BASE_INDEX + index);
    }

    public void set(int index, int value) {
        segment.setAtIndex(JAVA_INT, BASE_INDEX + index, value);
    }

    public void init(int value) {
        for (int i = 0; i < numberOfElements; i++) {
            set(i, value);
        }
    }

    @Override
    public void clear() {
        init(0);
    }

    public int[] toHeapArray() {
        return getSegment().toArray(JAVA_INT);
    }

    public IntArray slice(int offset, int length) {
        if (offset < 0 || length < 0 || offset + length > numberOfElements) {
            throw new IndexOutOfBoundsException("slice " + offset + "+" + length + " of " + numberOfElements);
        }
        IntArray array = new IntArray(length);
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
