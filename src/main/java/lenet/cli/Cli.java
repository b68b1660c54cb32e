package lenet.cli;

/** Entry point shared by {@code lenet.Train} and {@code scripts/lenet}. */
public final class Cli {
    private Cli() {
    }

    public static int run(String command, String[] args) {
        System.err.println("lenet " + command + ": not wired yet");
        return 2;
    }
}
