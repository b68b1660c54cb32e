package lenet.train;

import lenet.model.Params;

/** Lets tests of other packages use {@link ResumeTest}'s bit-for-bit comparison. */
public final class ResumeTestAccess {
    private ResumeTestAccess() {
    }

    public static void assertBitwiseEqual(Params expected, Params actual) {
        ResumeTest.assertBitwiseEqual(expected, actual, "parameters");
    }
}
